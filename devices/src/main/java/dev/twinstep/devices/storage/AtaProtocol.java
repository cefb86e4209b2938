package dev.twinstep.devices.storage;

/**
 * The ATA (ATA/ATAPI-6) register bits and command codes the controller implements, by their
 * specification names.
 */
final class AtaProtocol {
    private AtaProtocol() {
    }

    // Command block register offsets from 0x1F0.
    static final int REG_DATA = 0, REG_ERROR_FEATURES = 1, REG_SECTOR_COUNT = 2, REG_LBA_LOW = 3,
            REG_LBA_MID = 4, REG_LBA_HIGH = 5, REG_DEVICE = 6, REG_STATUS_COMMAND = 7;

    // Status register.
    static final int STATUS_ERR = 0x01, STATUS_DRQ = 0x08, STATUS_DSC = 0x10, STATUS_DF = 0x20,
            STATUS_DRDY = 0x40, STATUS_BSY = 0x80;
    /** A drive at rest and ready for a command: DRDY plus DSC, as QEMU and real disks report. */
    static final int STATUS_READY = STATUS_DRDY | STATUS_DSC;

    // Error register.
    static final int ERROR_ABRT = 0x04, ERROR_IDNF = 0x10;
    /** Error register value after a reset or EXECUTE DEVICE DIAGNOSTIC: "device 0 passed". */
    static final int DIAGNOSTIC_PASSED = 0x01;

    // Device register.
    static final int DEVICE_LBA = 0x40, DEVICE_SLAVE = 0x10, DEVICE_HEAD_MASK = 0x0F;
    /** Bits 7 and 5 are obsolete and read as one on the drives drivers were written for. */
    static final int DEVICE_OBSOLETE_ONES = 0xA0;

    // Device control register (0x3F6 write).
    static final int CONTROL_NIEN = 0x02, CONTROL_SRST = 0x04, CONTROL_HOB = 0x80;

    // Commands.
    static final int CMD_RECALIBRATE = 0x10;
    static final int CMD_READ_SECTORS = 0x20, CMD_READ_SECTORS_NO_RETRY = 0x21, CMD_READ_SECTORS_EXT = 0x24,
            CMD_READ_MULTIPLE_EXT = 0x29;
    static final int CMD_WRITE_SECTORS = 0x30, CMD_WRITE_SECTORS_NO_RETRY = 0x31, CMD_WRITE_SECTORS_EXT = 0x34,
            CMD_WRITE_MULTIPLE_EXT = 0x39;
    static final int CMD_READ_VERIFY = 0x40, CMD_READ_VERIFY_NO_RETRY = 0x41, CMD_READ_VERIFY_EXT = 0x42;
    static final int CMD_EXECUTE_DEVICE_DIAGNOSTIC = 0x90, CMD_INITIALIZE_DEVICE_PARAMETERS = 0x91;
    static final int CMD_READ_MULTIPLE = 0xC4, CMD_WRITE_MULTIPLE = 0xC5, CMD_SET_MULTIPLE_MODE = 0xC6;
    static final int CMD_CHECK_POWER_MODE = 0xE5, CMD_FLUSH_CACHE = 0xE7, CMD_FLUSH_CACHE_EXT = 0xEA,
            CMD_IDENTIFY_DEVICE = 0xEC, CMD_SET_FEATURES = 0xEF;

    // SET FEATURES subcommands (features register).
    static final int FEATURE_ENABLE_WRITE_CACHE = 0x02, FEATURE_SET_TRANSFER_MODE = 0x03,
            FEATURE_DISABLE_WRITE_CACHE = 0x82;

    /** The largest block READ/WRITE MULTIPLE moves, in sectors (identify word 47). */
    static final int MAX_MULTIPLE_SECTORS = 16;
    /** The highest LBA28 address plus one. */
    static final long LBA28_LIMIT = 1L << 28;
}
