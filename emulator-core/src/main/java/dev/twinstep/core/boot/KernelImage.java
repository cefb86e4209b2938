package dev.twinstep.core.boot;

import java.util.List;

/**
 * A parsed Multiboot kernel: where its bytes go and where it starts. Built from the ELF program
 * headers, or from the header's a.out-kludge addresses when flag bit 16 is set (as QEMU does, the
 * kludge wins even over a valid ELF).
 */
public record KernelImage(MultibootHeader header, List<LoadSegment> segments, long entry, boolean elf) {

    /** Lowest physical address the kernel occupies. */
    public long lowAddress() {
        long low = Long.MAX_VALUE;
        for (LoadSegment segment : segments) {
            low = Math.min(low, segment.physicalAddress());
        }
        return segments.isEmpty() ? 0 : low;
    }

    /** One past the highest physical address the kernel occupies, bss included. */
    public long highAddress() {
        long high = 0;
        for (LoadSegment segment : segments) {
            high = Math.max(high, segment.end());
        }
        return high;
    }

    /**
     * Parses {@code image} as a Multiboot v1 kernel.
     *
     * @throws BootException with a one-line reason when the image is not bootable
     */
    public static KernelImage parse(byte[] image) throws BootException {
        MultibootHeader header = MultibootHeader.find(image);
        boolean isElf = ElfImage.isElf(image);
        if (header == null) {
            throw new BootException(isElf
                    ? "ELF file has no multiboot header in its first 8192 bytes: not a multiboot kernel"
                    : "not an ELF or multiboot kernel image (no multiboot header in the first 8192 bytes)");
        }
        if (header.hasAddresses()) {
            return fromAoutKludge(image, header);
        }
        if (!isElf) {
            throw new BootException("multiboot header without load addresses (flag bit 16), and the file is not ELF");
        }
        ElfImage elf = ElfImage.parse(image);
        return new KernelImage(header, elf.segments(), elf.entry(), true);
    }

    private static KernelImage fromAoutKludge(byte[] image, MultibootHeader h) throws BootException {
        long headerAddr = h.headerAddr() & 0xFFFFFFFFL;
        long loadAddr = h.loadAddr() & 0xFFFFFFFFL;
        long loadEndAddr = h.loadEndAddr() & 0xFFFFFFFFL;
        long bssEndAddr = h.bssEndAddr() & 0xFFFFFFFFL;
        if (headerAddr < loadAddr) {
            throw new BootException(String.format(
                    "multiboot header_addr 0x%x is below load_addr 0x%x", headerAddr, loadAddr));
        }
        if (headerAddr - loadAddr > h.fileOffset()) {
            throw new BootException(String.format(
                    "multiboot header_addr 0x%x puts load_addr 0x%x before the start of the file", headerAddr, loadAddr));
        }
        long textOffset = h.fileOffset() - (headerAddr - loadAddr);
        long loadSize;
        if (loadEndAddr != 0) {
            if (loadEndAddr < loadAddr) {
                throw new BootException(String.format(
                        "multiboot load_end_addr 0x%x is below load_addr 0x%x", loadEndAddr, loadAddr));
            }
            loadSize = loadEndAddr - loadAddr;
        } else {
            loadSize = image.length - textOffset;
        }
        if (textOffset + loadSize > image.length) {
            throw new BootException(String.format(
                    "multiboot load_end_addr 0x%x lies past the end of the %d-byte file", loadEndAddr, image.length));
        }
        long memorySize = loadSize;
        if (bssEndAddr != 0) {
            if (bssEndAddr < loadAddr + loadSize) {
                throw new BootException(String.format(
                        "multiboot bss_end_addr 0x%x is below the end of the loaded image 0x%x", bssEndAddr, loadAddr + loadSize));
            }
            memorySize = bssEndAddr - loadAddr;
        }
        if (loadAddr + memorySize > 0x1_0000_0000L) {
            throw new BootException("multiboot kernel does not fit in the 4 GiB address space");
        }
        LoadSegment segment = new LoadSegment(loadAddr, textOffset, loadSize, memorySize);
        return new KernelImage(h, List.of(segment), h.entryAddr() & 0xFFFFFFFFL, false);
    }
}
