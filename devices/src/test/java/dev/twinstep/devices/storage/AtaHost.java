package dev.twinstep.devices.storage;

import dev.twinstep.core.bus.IoBus;

/**
 * The host side of the primary ATA channel, as a PIO driver sees it: every access goes through the
 * I/O bus to the real ports, in the order a driver would make them.
 */
final class AtaHost {
    static final int DATA = 0x1F0, ERROR = 0x1F1, FEATURES = 0x1F1, SECTOR_COUNT = 0x1F2, LBA_LOW = 0x1F3,
            LBA_MID = 0x1F4, LBA_HIGH = 0x1F5, DEVICE = 0x1F6, STATUS = 0x1F7, COMMAND = 0x1F7,
            ALT_STATUS = 0x3F6, DEVICE_CONTROL = 0x3F6;
    static final int BSY = 0x80, DRDY = 0x40, DF = 0x20, DSC = 0x10, DRQ = 0x08, ERR = 0x01;
    static final int ABRT = 0x04, IDNF = 0x10;

    final IoBus io;

    AtaHost(IoBus io) {
        this.io = io;
    }

    int in8(int port) {
        return io.read(port, 1);
    }

    void out8(int port, int value) {
        io.write(port, 1, value);
    }

    int status() {
        return in8(STATUS);
    }

    int altStatus() {
        return in8(ALT_STATUS);
    }

    int error() {
        return in8(ERROR);
    }

    /** Selects device 0 or 1 in LBA mode. */
    void select(int drive) {
        out8(DEVICE, 0xE0 | drive << 4);
    }

    /** Loads an LBA28 address and count for the selected drive and issues {@code command}. */
    void lba28(int drive, long lba, int count, int command) {
        out8(DEVICE, 0xE0 | drive << 4 | (int) (lba >>> 24) & 0x0F);
        out8(SECTOR_COUNT, count);
        out8(LBA_LOW, (int) lba);
        out8(LBA_MID, (int) (lba >>> 8));
        out8(LBA_HIGH, (int) (lba >>> 16));
        out8(COMMAND, command);
    }

    /** Loads an LBA48 address and count (high bytes first, as the register pairs require). */
    void lba48(int drive, long lba, int count, int command) {
        out8(DEVICE, 0x40 | drive << 4);
        out8(SECTOR_COUNT, count >>> 8);
        out8(LBA_LOW, (int) (lba >>> 24));
        out8(LBA_MID, (int) (lba >>> 32));
        out8(LBA_HIGH, (int) (lba >>> 40));
        out8(SECTOR_COUNT, count);
        out8(LBA_LOW, (int) lba);
        out8(LBA_MID, (int) (lba >>> 8));
        out8(LBA_HIGH, (int) (lba >>> 16));
        out8(COMMAND, command);
    }

    /** Issues a command that takes no address. */
    void command(int drive, int command) {
        select(drive);
        out8(COMMAND, command);
    }

    /** Reads {@code bytes} from the data port with 16-bit accesses (rep insw). */
    byte[] insw(int bytes) {
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i += 2) {
            int word = io.read(DATA, 2);
            data[i] = (byte) word;
            data[i + 1] = (byte) (word >>> 8);
        }
        return data;
    }

    /** Reads {@code bytes} from the data port with 32-bit accesses (rep insd). */
    byte[] insd(int bytes) {
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i += 4) {
            int dword = io.read(DATA, 4);
            for (int b = 0; b < 4; b++) {
                data[i + b] = (byte) (dword >>> (8 * b));
            }
        }
        return data;
    }

    /** Writes {@code data[offset..offset+bytes)} to the data port with 16-bit accesses (rep outsw). */
    void outsw(byte[] data, int offset, int bytes) {
        for (int i = offset; i < offset + bytes; i += 2) {
            io.write(DATA, 2, (data[i] & 0xFF) | (data[i + 1] & 0xFF) << 8);
        }
    }

    /** Writes with 32-bit accesses (rep outsd). */
    void outsd(byte[] data, int offset, int bytes) {
        for (int i = offset; i < offset + bytes; i += 4) {
            io.write(DATA, 4, (data[i] & 0xFF) | (data[i + 1] & 0xFF) << 8 | (data[i + 2] & 0xFF) << 16
                    | (data[i + 3] & 0xFF) << 24);
        }
    }
}
