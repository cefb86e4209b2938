package dev.twinstep.core.boot;

/**
 * The Multiboot v1 header of a kernel image: magic 0x1BADB002, flags and checksum, and with flag bit
 * 16 the a.out-kludge addresses. The header must be 4-byte aligned and lie entirely within the first
 * 8192 bytes of the file.
 */
public record MultibootHeader(int fileOffset, int flags, int headerAddr, int loadAddr, int loadEndAddr,
                              int bssEndAddr, int entryAddr) {
    public static final int MAGIC = 0x1BADB002;
    /** Flag bit 16: the header carries load addresses (the "a.out kludge"), so the loader ignores ELF. */
    public static final int FLAG_ADDRESSES = 1 << 16;
    /** Flag bit 2: the kernel asks for a video mode, which Twinstep (like QEMU) does not provide. */
    public static final int FLAG_VIDEO = 1 << 2;
    static final int SEARCH_LIMIT = 8192;
    static final int HEADER_BYTES = 48;

    public boolean hasAddresses() {
        return (flags & FLAG_ADDRESSES) != 0;
    }

    /**
     * Finds the first header whose checksum is right, scanning as QEMU does.
     *
     * @return the header, or null when the image has no magic number at all in the search area
     * @throws BootException when the magic number is there but no copy of it has a valid checksum
     */
    public static MultibootHeader find(byte[] image) throws BootException {
        int limit = Math.min(SEARCH_LIMIT - HEADER_BYTES, image.length - 12);
        int badChecksumAt = -1;
        for (int offset = 0; offset <= limit; offset += 4) {
            if (le32(image, offset) != MAGIC) {
                continue;
            }
            int flags = le32(image, offset + 4);
            int checksum = le32(image, offset + 8);
            if (MAGIC + flags + checksum != 0) {
                if (badChecksumAt < 0) {
                    badChecksumAt = offset;
                }
                continue;
            }
            return new MultibootHeader(offset, flags, field(image, offset, 12), field(image, offset, 16),
                    field(image, offset, 20), field(image, offset, 24), field(image, offset, 28));
        }
        if (badChecksumAt >= 0) {
            throw new BootException(String.format(
                    "bad multiboot header checksum at file offset 0x%x (magic + flags + checksum must be 0)",
                    badChecksumAt));
        }
        return null;
    }

    /** An a.out-kludge field; absent (0) when the file ends before it. */
    private static int field(byte[] image, int headerOffset, int fieldOffset) {
        int at = headerOffset + fieldOffset;
        return at + 4 <= image.length ? le32(image, at) : 0;
    }

    static int le32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    static int le16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }
}
