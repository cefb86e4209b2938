package dev.twinstep.devices.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Raw image files for tests: every sector filled with bytes that name the sector and the offset in it. */
final class DiskFiles {
    private DiskFiles() {
    }

    static Path patterned(Path dir, String name, int sectors) throws IOException {
        return Files.write(dir.resolve(name), patternedBytes(sectors, 0));
    }

    /** Bytes of sectors [0, sectors), each different; {@code salt} makes a second disk's differ. */
    static byte[] patternedBytes(int sectors, int salt) {
        byte[] data = new byte[sectors * 512];
        for (int sector = 0; sector < sectors; sector++) {
            System.arraycopy(sectorPattern(sector, salt), 0, data, sector * 512, 512);
        }
        return data;
    }

    static byte[] sectorPattern(int sector, int salt) {
        byte[] data = new byte[512];
        for (int i = 0; i < 512; i++) {
            data[i] = (byte) (sector * 7 + i * 13 + salt);
        }
        data[0] = (byte) sector;
        data[1] = (byte) (sector >>> 8);
        return data;
    }

    static byte[] slice(byte[] data, int firstSector, int sectors) {
        byte[] out = new byte[sectors * 512];
        System.arraycopy(data, firstSector * 512, out, 0, out.length);
        return out;
    }

    static byte[] filled(int sectors, int value) {
        byte[] data = new byte[sectors * 512];
        java.util.Arrays.fill(data, (byte) value);
        return data;
    }
}
