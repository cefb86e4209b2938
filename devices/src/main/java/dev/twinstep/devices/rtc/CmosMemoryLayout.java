package dev.twinstep.devices.rtc;

/**
 * The CMOS bytes PC firmware and QEMU's {@code pc} machine fill in for the guest: base and extended
 * memory sizes, the memory above 16 MiB, the century, the CPU count. Offsets as SeaBIOS reads them.
 */
public final class CmosMemoryLayout {
    public static final int BASE_MEMORY_LOW = 0x15, BASE_MEMORY_HIGH = 0x16;
    public static final int EXTENDED_MEMORY_LOW = 0x17, EXTENDED_MEMORY_HIGH = 0x18;
    public static final int EXTENDED_MEMORY_POST_LOW = 0x30, EXTENDED_MEMORY_POST_HIGH = 0x31;
    public static final int CENTURY = 0x32;
    public static final int MEMORY_ABOVE_16M_LOW = 0x34, MEMORY_ABOVE_16M_HIGH = 0x35;
    public static final int CPU_COUNT_MINUS_ONE = 0x5F;

    private static final long KIB = 1024, MIB = 1024 * KIB;

    private CmosMemoryLayout() {
    }

    /** Writes the memory-size bytes for {@code ramBytes} of RAM (below 4 GiB) into {@code cmos}. */
    public static void fill(byte[] cmos, long ramBytes) {
        putWord(cmos, BASE_MEMORY_LOW, 640);
        long extendedKib = Math.min(Math.max(ramBytes / KIB - 1024, 0), 0xFFFF);
        putWord(cmos, EXTENDED_MEMORY_LOW, (int) extendedKib);
        putWord(cmos, EXTENDED_MEMORY_POST_LOW, (int) extendedKib);
        long above16m = ramBytes > 16 * MIB ? Math.min((ramBytes - 16 * MIB) / (64 * KIB), 0xFFFF) : 0;
        putWord(cmos, MEMORY_ABOVE_16M_LOW, (int) above16m);
        cmos[CPU_COUNT_MINUS_ONE] = 0;
    }

    private static void putWord(byte[] cmos, int offset, int value) {
        cmos[offset] = (byte) value;
        cmos[offset + 1] = (byte) (value >>> 8);
    }
}
