package dev.twinstep.devices.storage;

import java.nio.ByteBuffer;

/**
 * The 512-byte IDENTIFY DEVICE block of an {@link AtaDrive} (ATA/ATAPI-6 layout): a fixed disk with
 * LBA, LBA48, PIO modes 0-4, READ/WRITE MULTIPLE up to 16 sectors, FLUSH CACHE and a write cache, and
 * the integrity word 255 filled in.
 */
final class AtaIdentify {
    private AtaIdentify() {
    }

    static final int WORDS = 256;

    /** Fills bytes 0-511 of {@code into} (a little-endian buffer) with the drive's identify block. */
    static void write(AtaDrive drive, ByteBuffer into) {
        for (int i = 0; i < WORDS; i++) {
            into.putShort(2 * i, (short) 0);
        }
        long sectors = drive.sectorCount();
        long lba28 = Math.min(sectors, AtaProtocol.LBA28_LIMIT - 1);
        int chsCapacity = drive.cylinders() * drive.heads * drive.sectorsPerTrack;

        word(into, 0, 0x0040); // fixed (non-removable) ATA device
        word(into, 1, drive.defaultCylinders);
        word(into, 3, AtaDrive.DEFAULT_HEADS);
        word(into, 6, AtaDrive.DEFAULT_SECTORS_PER_TRACK);
        string(into, 10, 20, drive.serial);
        string(into, 23, 8, drive.firmware);
        string(into, 27, 40, drive.model);
        word(into, 47, 0x8000 | AtaProtocol.MAX_MULTIPLE_SECTORS);
        word(into, 49, 1 << 9); // LBA supported (no DMA: PIO only)
        word(into, 50, 0x4000);
        word(into, 51, 0x0200); // PIO timing mode 2, for drivers that predate word 64
        word(into, 53, 0x0003); // words 54-58 and 64-70 are valid
        word(into, 54, drive.cylinders());
        word(into, 55, drive.heads);
        word(into, 56, drive.sectorsPerTrack);
        word(into, 57, chsCapacity & 0xFFFF);
        word(into, 58, chsCapacity >>> 16);
        word(into, 59, drive.multipleSectors == 0 ? 0 : 0x0100 | drive.multipleSectors);
        word(into, 60, (int) (lba28 & 0xFFFF));
        word(into, 61, (int) (lba28 >>> 16));
        word(into, 64, 0x0003); // PIO modes 3 and 4
        word(into, 65, 120);
        word(into, 66, 120);
        word(into, 67, 120);
        word(into, 68, 120);
        word(into, 80, 0x007E); // ATA-1 to ATA-6
        word(into, 82, 1 << 5); // write cache
        word(into, 83, 0x4000 | 1 << 13 | 1 << 12 | 1 << 10); // FLUSH CACHE EXT, FLUSH CACHE, LBA48
        word(into, 84, 0x4000);
        word(into, 85, drive.writeCacheEnabled ? 1 << 5 : 0);
        word(into, 86, 1 << 13 | 1 << 12 | 1 << 10);
        word(into, 87, 0x4000);
        word(into, 100, (int) (sectors & 0xFFFF));
        word(into, 101, (int) ((sectors >>> 16) & 0xFFFF));
        word(into, 102, (int) ((sectors >>> 32) & 0xFFFF));
        word(into, 103, (int) ((sectors >>> 48) & 0xFFFF));
        into.put(510, (byte) 0xA5); // integrity word signature; the checksum makes all 512 bytes sum to 0
        int sum = 0;
        for (int i = 0; i < 511; i++) {
            sum += into.get(i);
        }
        into.put(511, (byte) -sum);
    }

    private static void word(ByteBuffer into, int index, int value) {
        into.putShort(2 * index, (short) value);
    }

    /** ATA strings are space-padded ASCII with the first character of each pair in the high byte. */
    private static void string(ByteBuffer into, int firstWord, int length, String text) {
        for (int i = 0; i < length; i++) {
            char c = i < text.length() ? text.charAt(i) : ' ';
            into.put(2 * firstWord + (i ^ 1), (byte) (c < 0x20 || c > 0x7E ? '?' : c));
        }
    }
}
