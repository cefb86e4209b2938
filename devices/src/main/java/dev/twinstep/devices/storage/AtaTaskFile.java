package dev.twinstep.devices.storage;

import static dev.twinstep.devices.storage.AtaProtocol.*;

/**
 * The command block registers both drives of a channel latch (features, sector count, the three LBA
 * bytes, device), each address register with its previous value for LBA48: writing a register pushes
 * its old value into the "high order byte" copy, which the host reads back with HOB set in the
 * device control register. Plain fields, so that the state can be saved and restored later.
 */
final class AtaTaskFile {
    int features, sectorCount, lbaLow, lbaMid, lbaHigh;
    int hobFeatures, hobSectorCount, hobLbaLow, hobLbaMid, hobLbaHigh;
    int device;

    /** Latches a host write to command block register {@code offset} (1-6). */
    void write(int offset, int value) {
        switch (offset) {
            case REG_ERROR_FEATURES:
                hobFeatures = features;
                features = value;
                break;
            case REG_SECTOR_COUNT:
                hobSectorCount = sectorCount;
                sectorCount = value;
                break;
            case REG_LBA_LOW:
                hobLbaLow = lbaLow;
                lbaLow = value;
                break;
            case REG_LBA_MID:
                hobLbaMid = lbaMid;
                lbaMid = value;
                break;
            case REG_LBA_HIGH:
                hobLbaHigh = lbaHigh;
                lbaHigh = value;
                break;
            default:
                device = value | DEVICE_OBSOLETE_ONES;
                break;
        }
    }

    /**
     * The value of register {@code offset} (2-6) as the host reads it; {@code hob} selects the
     * previous values of the LBA48 pair registers.
     */
    int read(int offset, boolean hob) {
        switch (offset) {
            case REG_SECTOR_COUNT:
                return hob ? hobSectorCount : sectorCount;
            case REG_LBA_LOW:
                return hob ? hobLbaLow : lbaLow;
            case REG_LBA_MID:
                return hob ? hobLbaMid : lbaMid;
            case REG_LBA_HIGH:
                return hob ? hobLbaHigh : lbaHigh;
            default:
                return device;
        }
    }

    /** Index of the drive the device register selects: 0 master, 1 slave. */
    int selectedIndex() {
        return (device & DEVICE_SLAVE) != 0 ? 1 : 0;
    }

    boolean isLbaMode() {
        return (device & DEVICE_LBA) != 0;
    }

    int head() {
        return device & DEVICE_HEAD_MASK;
    }

    long lba28() {
        return (long) head() << 24 | (long) lbaHigh << 16 | lbaMid << 8 | lbaLow;
    }

    long lba48() {
        return (long) hobLbaHigh << 40 | (long) hobLbaMid << 32 | (long) hobLbaLow << 24
                | (long) lbaHigh << 16 | lbaMid << 8 | lbaLow;
    }

    int cylinder() {
        return lbaHigh << 8 | lbaMid;
    }

    /** The sectors a transfer command asks for; a count of 0 means 256 (65,536 for LBA48). */
    long transferCount(boolean lba48) {
        if (lba48) {
            int count = hobSectorCount << 8 | sectorCount;
            return count == 0 ? 65536 : count;
        }
        return sectorCount == 0 ? 256 : sectorCount;
    }

    /** The ATA device signature a reset or diagnostic leaves; it also selects device 0. */
    void setSignature() {
        sectorCount = 1;
        lbaLow = 1;
        lbaMid = 0;
        lbaHigh = 0;
        device = DEVICE_OBSOLETE_ONES;
    }

    /** Power-on contents. */
    void clear() {
        features = hobFeatures = hobSectorCount = hobLbaLow = hobLbaMid = hobLbaHigh = 0;
        setSignature();
    }
}
