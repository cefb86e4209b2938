package dev.twinstep.core.boot;

import java.util.ArrayList;
import java.util.List;

/**
 * The loadable view of an ELF32 little-endian i386 executable: its PT_LOAD segments, placed at their
 * physical addresses (p_paddr, as QEMU's ELF loader uses), and its entry point.
 */
record ElfImage(List<LoadSegment> segments, long entry) {
    private static final int EI_CLASS = 4, EI_DATA = 5;
    private static final int ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1;
    private static final int ET_EXEC = 2;
    private static final int EM_386 = 3, EM_X86_64 = 62;
    private static final int PT_LOAD = 1;
    private static final int ELF32_HEADER_BYTES = 52, ELF32_PHDR_BYTES = 32;

    static boolean isElf(byte[] image) {
        return image.length >= 4 && image[0] == 0x7F && image[1] == 'E' && image[2] == 'L' && image[3] == 'F';
    }

    static ElfImage parse(byte[] image) throws BootException {
        if (image.length < ELF32_HEADER_BYTES) {
            throw new BootException("ELF file is truncated: " + image.length + " bytes is shorter than an ELF header");
        }
        int machine = MultibootHeader.le16(image, 18);
        if (image[EI_CLASS] == ELFCLASS64 || machine == EM_X86_64) {
            throw new BootException("ELF kernel is 64-bit (x86-64): Twinstep boots 32-bit i386 kernels only");
        }
        if (image[EI_CLASS] != ELFCLASS32 || image[EI_DATA] != ELFDATA2LSB) {
            throw new BootException("ELF kernel is not 32-bit little-endian");
        }
        if (machine != EM_386) {
            throw new BootException("ELF kernel is for machine type " + machine + ", not i386 (3)");
        }
        if (MultibootHeader.le16(image, 16) != ET_EXEC) {
            throw new BootException("ELF kernel is not an executable (e_type " + MultibootHeader.le16(image, 16) + ")");
        }
        long entry = MultibootHeader.le32(image, 24) & 0xFFFFFFFFL;
        long phoff = MultibootHeader.le32(image, 28) & 0xFFFFFFFFL;
        int phentsize = MultibootHeader.le16(image, 42);
        int phnum = MultibootHeader.le16(image, 44);
        if (phnum > 0 && phentsize < ELF32_PHDR_BYTES) {
            throw new BootException("ELF program header entries are too small (" + phentsize + " bytes)");
        }
        if (phoff + (long) phnum * phentsize > image.length) {
            throw new BootException("ELF program headers lie past the end of the file");
        }
        List<LoadSegment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (MultibootHeader.le32(image, ph) != PT_LOAD) {
                continue;
            }
            long offset = MultibootHeader.le32(image, ph + 4) & 0xFFFFFFFFL;
            long paddr = MultibootHeader.le32(image, ph + 12) & 0xFFFFFFFFL;
            long filesz = MultibootHeader.le32(image, ph + 16) & 0xFFFFFFFFL;
            long memsz = MultibootHeader.le32(image, ph + 20) & 0xFFFFFFFFL;
            if (memsz == 0) {
                continue;
            }
            if (filesz > memsz) {
                throw new BootException(String.format("ELF segment %d has more file bytes (0x%x) than memory bytes (0x%x)",
                        i, filesz, memsz));
            }
            if (offset + filesz > image.length) {
                throw new BootException(String.format("ELF segment %d lies past the end of the file", i));
            }
            if (paddr + memsz > 0x1_0000_0000L) {
                throw new BootException(String.format("ELF segment %d at 0x%x+0x%x ends above 4 GiB", i, paddr, memsz));
            }
            segments.add(new LoadSegment(paddr, offset, filesz, memsz));
        }
        if (segments.isEmpty()) {
            throw new BootException("ELF kernel has no loadable (PT_LOAD) segments");
        }
        return new ElfImage(List.copyOf(segments), entry);
    }
}
