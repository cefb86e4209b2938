package dev.twinstep.devices.storage;

/**
 * One ATA hard disk on a channel: its image, identity and the per-drive registers (status, error,
 * the multiple-sector setting, the CHS translation). Plain fields, so that the state can be saved and
 * restored later. Machine thread only.
 */
final class AtaDrive {
    /** Default CHS translation of BIOSes and QEMU for disks of 504 MiB and more. */
    static final int DEFAULT_HEADS = 16, DEFAULT_SECTORS_PER_TRACK = 63, MAX_CYLINDERS = 16383;

    final DiskImage image;
    final String model;
    final String serial;
    final String firmware;
    final int defaultCylinders;

    int status;
    int error;
    /** Sectors per block for READ/WRITE MULTIPLE; 0 when multiple mode is off. */
    int multipleSectors;
    boolean writeCacheEnabled;
    /** The CHS translation set by INITIALIZE DEVICE PARAMETERS. */
    int heads, sectorsPerTrack;

    AtaDrive(DiskImage image, String model, String serial, String firmware) {
        this.image = image;
        this.model = model;
        this.serial = serial;
        this.firmware = firmware;
        long cylinders = image.sectorCount() / (DEFAULT_HEADS * DEFAULT_SECTORS_PER_TRACK);
        this.defaultCylinders = (int) Math.max(1, Math.min(MAX_CYLINDERS, cylinders));
        powerOn();
    }

    /** Power-on state. Multiple mode starts enabled at the maximum, as on QEMU's disks. */
    void powerOn() {
        multipleSectors = AtaProtocol.MAX_MULTIPLE_SECTORS;
        writeCacheEnabled = true;
        heads = DEFAULT_HEADS;
        sectorsPerTrack = DEFAULT_SECTORS_PER_TRACK;
        afterReset();
    }

    /** The state a reset or diagnostic leaves: ready, "passed" in the error register. */
    void afterReset() {
        status = AtaProtocol.STATUS_READY;
        error = AtaProtocol.DIAGNOSTIC_PASSED;
    }

    long sectorCount() {
        return image.sectorCount();
    }

    /** Cylinders under the current translation, capped as ATA caps them. */
    int cylinders() {
        long cylinders = image.sectorCount() / ((long) heads * sectorsPerTrack);
        return (int) Math.max(1, Math.min(MAX_CYLINDERS, cylinders));
    }

    /**
     * The LBA a CHS address names under the current translation, or -1 if the address is not valid
     * (sector 0, or a head or sector past the geometry).
     */
    long chsToLba(int cylinder, int head, int sector) {
        if (sector == 0 || sector > sectorsPerTrack || head >= heads) {
            return -1;
        }
        return ((long) cylinder * heads + head) * sectorsPerTrack + sector - 1;
    }
}
