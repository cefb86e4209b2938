package dev.twinstep.core.boot;

import dev.twinstep.core.memory.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the Multiboot v1 information structure where QEMU's {@code -kernel} puts it: the memory map
 * at 0x9000, the info block at 0x9500, and the command line and boot loader name in the first page
 * after the kernel. Flags and field values follow QEMU (memory, boot device, command line, modules,
 * memory map and boot loader name), so a kernel prints the same values under both.
 */
final class MultibootInfoWriter {
    static final int MMAP_ADDRESS = 0x9000;
    static final int INFO_ADDRESS = 0x9500;
    static final int INFO_BYTES = 88;
    static final int BOOT_LOADER_NAME_MAX = 64;

    static final int FLAG_MEMORY = 1, FLAG_BOOT_DEVICE = 1 << 1, FLAG_CMDLINE = 1 << 2, FLAG_MODULES = 1 << 3,
            FLAG_MMAP = 1 << 6, FLAG_BOOT_LOADER_NAME = 1 << 9;
    static final int INFO_FLAGS = FLAG_MEMORY | FLAG_BOOT_DEVICE | FLAG_CMDLINE | FLAG_MODULES | FLAG_MMAP
            | FLAG_BOOT_LOADER_NAME;
    /** BIOS drive 0x80, no partition: what QEMU reports. */
    static final int BOOT_DEVICE = 0x8000FFFF;
    private static final int MMAP_ENTRY_SIZE = 20;

    private MultibootInfoWriter() {
    }

    /** Bytes the strings need after the kernel: the command line and the loader name, each NUL-terminated. */
    static long stringBytes(String cmdline, String bootLoaderName) {
        return utf8(cmdline).length + 1L + utf8(bootLoaderName).length + 1L;
    }

    /**
     * Writes everything and returns the info block's address.
     *
     * @param stringsAddress the first page boundary after the kernel; modules (none) and strings go here
     */
    static int write(GuestMemory memory, List<PcMemoryMap.Entry> map, int stringsAddress, String cmdline,
                     String bootLoaderName) {
        int mmapLength = writeMemoryMap(memory, map);
        byte[] cmdlineBytes = utf8(cmdline);
        int cmdlineAddress = stringsAddress;
        int nameAddress = writeString(memory, cmdlineAddress, cmdlineBytes);
        writeString(memory, nameAddress, utf8(bootLoaderName));

        memory.fill(INFO_ADDRESS, INFO_BYTES, (byte) 0);
        memory.write32(INFO_ADDRESS, INFO_FLAGS);
        memory.write32(INFO_ADDRESS + 4, PcMemoryMap.lowerMemoryKib());
        memory.write32(INFO_ADDRESS + 8, (int) PcMemoryMap.upperMemoryKib(map));
        memory.write32(INFO_ADDRESS + 12, BOOT_DEVICE);
        memory.write32(INFO_ADDRESS + 16, cmdlineAddress);
        memory.write32(INFO_ADDRESS + 20, 0);
        memory.write32(INFO_ADDRESS + 24, stringsAddress);
        memory.write32(INFO_ADDRESS + 44, mmapLength);
        memory.write32(INFO_ADDRESS + 48, MMAP_ADDRESS);
        memory.write32(INFO_ADDRESS + 64, nameAddress);
        return INFO_ADDRESS;
    }

    private static int writeMemoryMap(GuestMemory memory, List<PcMemoryMap.Entry> map) {
        int at = MMAP_ADDRESS;
        for (PcMemoryMap.Entry entry : map) {
            memory.write32(at, MMAP_ENTRY_SIZE);
            memory.write32(at + 4, (int) entry.base());
            memory.write32(at + 8, (int) (entry.base() >>> 32));
            memory.write32(at + 12, (int) entry.length());
            memory.write32(at + 16, (int) (entry.length() >>> 32));
            memory.write32(at + 20, entry.type());
            at += MMAP_ENTRY_SIZE + 4;
        }
        return at - MMAP_ADDRESS;
    }

    /** Writes a NUL-terminated string and returns the address after the NUL. */
    private static int writeString(GuestMemory memory, int address, byte[] bytes) {
        memory.writeBytes(address & 0xFFFFFFFFL, bytes, 0, bytes.length);
        memory.write8(address + bytes.length, 0);
        return address + bytes.length + 1;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
