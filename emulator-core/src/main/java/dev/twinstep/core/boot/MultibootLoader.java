package dev.twinstep.core.boot;

import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.memory.GuestMemory;
import java.util.List;

/**
 * Boots a Multiboot v1 kernel the way QEMU's {@code -kernel} does: loads it (ELF, or the a.out kludge),
 * writes the multiboot information with the PC memory map, and sets the CPU up to enter it in flat
 * 32-bit protected mode with EAX = 0x2BADB002 and EBX = the info address.
 *
 * <p>The command line the kernel sees is QEMU's: the kernel file name, a space, then the appended
 * arguments (so an empty {@code -append} leaves a trailing space).
 */
public final class MultibootLoader {
    public static final int BOOT_MAGIC = 0x2BADB002;
    public static final String BOOT_LOADER_NAME = "twinstep";
    private static final long MIB = 1024 * 1024;

    private MultibootLoader() {
    }

    /** The command line QEMU gives a kernel started as {@code -kernel kernelName -append append}. */
    public static String commandLine(String kernelName, String append) {
        return kernelName + " " + (append == null ? "" : append);
    }

    /**
     * Loads {@code image} into {@code memory} and prepares {@code cpu} to run it.
     *
     * @param kernelName the file name as the user gave it; it starts the kernel's command line
     * @param append     the arguments after it, or null
     * @throws BootException when the image is not a bootable kernel or does not fit in guest RAM
     */
    public static BootInfo boot(byte[] image, String kernelName, String append, GuestMemory memory, Cpu cpu)
            throws BootException {
        KernelImage kernel = KernelImage.parse(image);
        String cmdline = commandLine(kernelName, append);
        long low = kernel.lowAddress();
        long high = kernel.highAddress();
        long stringsAddress = low + pageAlign(high - low);
        long needed = stringsAddress + MultibootInfoWriter.stringBytes(cmdline, BOOT_LOADER_NAME);
        long usableEnd = PcMemoryMap.usableRamEnd(memory.ramSize());
        for (LoadSegment segment : kernel.segments()) {
            checkInsideRam(segment, memory, usableEnd);
        }
        if (needed > usableEnd) {
            throw new BootException(String.format(
                    "guest memory is too small for this kernel: it needs RAM up to 0x%x (about %d MiB), "
                            + "but usable RAM ends at 0x%x (%d MiB of guest memory)",
                    needed, (needed + PcMemoryMap.FIRMWARE_HIGH_RESERVE + MIB - 1) / MIB, usableEnd,
                    memory.ramSize() / MIB));
        }
        for (LoadSegment segment : kernel.segments()) {
            place(image, segment, memory);
        }
        List<PcMemoryMap.Entry> map = PcMemoryMap.forRam(memory.ramSize());
        int info = MultibootInfoWriter.write(memory, map, (int) stringsAddress, cmdline, BOOT_LOADER_NAME);
        int entry = (int) kernel.entry();
        ProtectedModeEntry.enter(cpu, memory, entry, BOOT_MAGIC, info);
        return new BootInfo(entry, low, high, info, cmdline);
    }

    private static void checkInsideRam(LoadSegment segment, GuestMemory memory, long usableEnd) throws BootException {
        if (segment.end() > usableEnd) {
            if (segment.physicalAddress() >= memory.ramSize()) {
                throw new BootException(String.format(
                        "kernel segment at 0x%x+0x%x lies outside guest RAM (%d MiB)",
                        segment.physicalAddress(), segment.memorySize(), memory.ramSize() / MIB));
            }
            throw new BootException(String.format(
                    "guest memory is too small for this kernel: its segment at 0x%x+0x%x ends past usable RAM at 0x%x",
                    segment.physicalAddress(), segment.memorySize(), usableEnd));
        }
        int firstPage = (int) (segment.physicalAddress() >>> GuestMemory.PAGE_SHIFT);
        int lastPage = (int) ((segment.end() - 1) >>> GuestMemory.PAGE_SHIFT);
        for (int page = firstPage; page <= lastPage; page++) {
            if (!memory.isRamPage(page)) {
                throw new BootException(String.format(
                        "kernel segment at 0x%x+0x%x overlaps non-RAM memory at 0x%x (the PC's VGA/BIOS area)",
                        segment.physicalAddress(), segment.memorySize(), (long) page << GuestMemory.PAGE_SHIFT));
            }
        }
    }

    private static void place(byte[] image, LoadSegment segment, GuestMemory memory) {
        memory.writeBytes(segment.physicalAddress(), image, (int) segment.fileOffset(), (int) segment.fileSize());
        long bss = segment.memorySize() - segment.fileSize();
        if (bss > 0) {
            memory.fill(segment.physicalAddress() + segment.fileSize(), bss, (byte) 0);
        }
    }

    private static long pageAlign(long bytes) {
        return (bytes + GuestMemory.PAGE_SIZE - 1) & -GuestMemory.PAGE_SIZE;
    }
}
