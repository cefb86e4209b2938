package dev.twinstep.core.boot;

import java.util.List;

/**
 * The BIOS memory map (INT 15h E820) of a PC with {@code ramBytes} of RAM, entry for entry as SeaBIOS
 * reports it under QEMU's {@code pc} machine, so that a multiboot kernel sees the same map on both:
 * conventional memory up to the 1 KiB EBDA, the BIOS area 0xF0000-0xFFFFF, extended memory up to the
 * last 128 KiB (which SeaBIOS keeps for its own tables), and the BIOS flash mirror below 4 GiB.
 */
public final class PcMemoryMap {
    /** Usable RAM, E820 type 1. */
    public static final int TYPE_RAM = 1;
    /** Reserved, E820 type 2. */
    public static final int TYPE_RESERVED = 2;

    static final long EBDA_START = 0x9FC00;
    static final long LOW_MEMORY_END = 0xA0000;
    static final long BIOS_AREA_START = 0xF0000;
    static final long EXTENDED_MEMORY_START = 0x100000;
    /** What SeaBIOS reserves at the top of RAM for its high tables. */
    static final long FIRMWARE_HIGH_RESERVE = 0x20000;
    static final long BIOS_FLASH_START = 0xFFFC0000L;
    static final long ADDRESS_SPACE_END = 0x1_0000_0000L;

    /** One E820 range. */
    public record Entry(long base, long length, int type) {
        public long end() {
            return base + length;
        }
    }

    private PcMemoryMap() {
    }

    /** The map for a machine with {@code ramBytes} of RAM (at least 2 MiB). */
    public static List<Entry> forRam(long ramBytes) {
        long usableEnd = ramBytes - FIRMWARE_HIGH_RESERVE;
        return List.of(
                new Entry(0, EBDA_START, TYPE_RAM),
                new Entry(EBDA_START, LOW_MEMORY_END - EBDA_START, TYPE_RESERVED),
                new Entry(BIOS_AREA_START, EXTENDED_MEMORY_START - BIOS_AREA_START, TYPE_RESERVED),
                new Entry(EXTENDED_MEMORY_START, usableEnd - EXTENDED_MEMORY_START, TYPE_RAM),
                new Entry(usableEnd, FIRMWARE_HIGH_RESERVE, TYPE_RESERVED),
                new Entry(BIOS_FLASH_START, ADDRESS_SPACE_END - BIOS_FLASH_START, TYPE_RESERVED));
    }

    /** Conventional memory below the EBDA, in KiB, as INT 12h reports it. */
    public static int lowerMemoryKib() {
        return (int) (EBDA_START >>> 10);
    }

    /**
     * Contiguous usable memory from 1 MiB up to the first hole, in KiB: the multiboot mem_upper, which
     * QEMU's multiboot option ROM computes from this same map.
     */
    public static long upperMemoryKib(List<Entry> map) {
        long end = EXTENDED_MEMORY_START;
        boolean extended = true;
        while (extended) {
            extended = false;
            for (Entry entry : map) {
                if (entry.type() == TYPE_RAM && entry.base() <= end && end < entry.end()) {
                    end = entry.end();
                    extended = true;
                }
            }
        }
        return (end - EXTENDED_MEMORY_START) >>> 10;
    }

    /** The highest address of usable RAM a loaded image may reach. */
    public static long usableRamEnd(long ramBytes) {
        return ramBytes - FIRMWARE_HIGH_RESERVE;
    }
}
