package dev.twinstep.core.memory;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The guest-physical address space: off-heap RAM plus a page-granular map of RAM, ROM, MMIO and
 * unmapped pages. It is the only path by which guest RAM is written, so every store (CPU or DMA)
 * marks its page in the {@link DirtyLog}.
 *
 * <p>Physical addresses are 32-bit and passed as {@code int}; they are treated as unsigned.
 * RAM is one contiguous buffer at physical address 0; pages that the PC map reserves (the VGA hole)
 * keep their backing bytes but are not mapped as RAM. Machine thread only.
 */
public final class GuestMemory {
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    /** Number of 4 KiB pages in the 4 GiB physical address space. */
    public static final int ADDRESS_SPACE_PAGES = 1 << 20;
    /** RAM is one Agrona buffer, whose length is an int. */
    public static final long MAX_RAM_BYTES = 2048L * 1024 * 1024 - PAGE_SIZE;
    public static final long MIN_RAM_BYTES = 2L * 1024 * 1024;

    public static final byte UNMAPPED = 0;
    public static final byte RAM = 1;
    public static final byte ROM = 2;
    public static final byte MMIO = 3;

    private final UnsafeBuffer ram;
    private final int ramBytes;
    private final byte[] pageKind = new byte[ADDRESS_SPACE_PAGES];
    private final MmioHandler[] mmioHandler = new MmioHandler[ADDRESS_SPACE_PAGES];
    private final int[] mmioBase = new int[ADDRESS_SPACE_PAGES];
    private final long[] codePages = new long[ADDRESS_SPACE_PAGES >>> 6];
    private final DirtyLog dirtyLog;
    private CodeWriteListener codeWriteListener = page -> { };
    /** All ones with the A20 gate open; bit 20 clear when it is closed (addresses wrap at 1 MiB as on an 8086). */
    private int a20Mask = -1;
    private Runnable a20ChangeListener = () -> { };

    /**
     * Creates RAM of {@code ramBytes} (a multiple of 4 KiB) mapped from physical address 0, with the
     * PC's VGA hole (0xA0000-0xBFFFF) left unmapped.
     */
    public GuestMemory(long ramBytes) {
        this(ramBytes, true);
    }

    /**
     * Creates RAM of {@code ramBytes} mapped from physical address 0; with {@code pcVgaHole} false every
     * RAM byte is mapped (flat memory, as CPU test vectors assume).
     */
    public GuestMemory(long ramBytes, boolean pcVgaHole) {
        if (ramBytes < MIN_RAM_BYTES || ramBytes > MAX_RAM_BYTES || (ramBytes & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("guest RAM must be a multiple of 4 KiB between "
                    + (MIN_RAM_BYTES >> 20) + " MiB and " + (MAX_RAM_BYTES >> 20) + " MiB, got " + ramBytes);
        }
        this.ramBytes = (int) ramBytes;
        this.ram = new UnsafeBuffer(ByteBuffer.allocateDirect(this.ramBytes));
        int ramPages = this.ramBytes >>> PAGE_SHIFT;
        this.dirtyLog = new DirtyLog(ramPages);
        for (int page = 0; page < ramPages; page++) {
            pageKind[page] = RAM;
        }
        for (int page = 0xA0000 >>> PAGE_SHIFT; pcVgaHole && page < 0xC0000 >>> PAGE_SHIFT; page++) {
            pageKind[page] = UNMAPPED;
        }
    }

    /** RAM size in bytes. */
    public long ramSize() {
        return ramBytes;
    }

    /** The dirty log every RAM write marks. */
    public DirtyLog dirtyLog() {
        return dirtyLog;
    }

    /** The RAM bytes, indexed by physical address. Writers must mark the page dirty themselves. */
    public UnsafeBuffer ram() {
        return ram;
    }

    /** What backs {@code page}: {@link #RAM}, {@link #ROM}, {@link #MMIO} or {@link #UNMAPPED}. */
    public byte pageKind(int page) {
        return pageKind[page];
    }

    /** Whether {@code page} is writable RAM. */
    public boolean isRamPage(int page) {
        return pageKind[page] == RAM;
    }

    /** Marks pages [address, address+length) read-only: stores to them are ignored, as on a PC. */
    public void mapRom(int address, int length) {
        checkAligned(address, length);
        int first = address >>> PAGE_SHIFT;
        int count = length >>> PAGE_SHIFT;
        if ((long) first + count > (ramBytes >>> PAGE_SHIFT)) {
            throw new IllegalArgumentException(String.format("ROM 0x%08x+0x%x lies outside the RAM backing", address, length));
        }
        for (int page = first; page < first + count; page++) {
            pageKind[page] = ROM;
        }
    }

    /** Routes accesses to [address, address+length) to {@code handler}; overlapping regions are refused. */
    public void mapMmio(int address, int length, MmioHandler handler) {
        checkAligned(address, length);
        int first = address >>> PAGE_SHIFT;
        int count = length >>> PAGE_SHIFT;
        if (first + count > ADDRESS_SPACE_PAGES) {
            throw new IllegalArgumentException(String.format("MMIO region 0x%08x+0x%x ends above 4 GiB", address, length));
        }
        for (int n = 0; n < count; n++) {
            if (mmioHandler[first + n] != null) {
                throw new IllegalArgumentException(String.format("MMIO region at 0x%08x overlaps another", address));
            }
        }
        for (int n = 0; n < count; n++) {
            pageKind[first + n] = MMIO;
            mmioHandler[first + n] = handler;
            mmioBase[first + n] = address;
        }
    }

    private static void checkAligned(int address, int length) {
        if ((address & (PAGE_SIZE - 1)) != 0 || (length & (PAGE_SIZE - 1)) != 0 || length <= 0) {
            throw new IllegalArgumentException(String.format("region 0x%08x+0x%x is not page aligned", address, length));
        }
    }

    // ---------------------------------------------------------------- code pages (self-modifying code)

    /** Sets who is told about writes to pages marked with {@link #markCodePage(int)}. */
    public void setCodeWriteListener(CodeWriteListener listener) {
        this.codeWriteListener = listener;
    }

    /** Records that decoded code was cached from this page: writes to it are then reported. */
    public void markCodePage(int page) {
        codePages[page >>> 6] |= 1L << page;
    }

    /** Stops reporting writes to {@code page} (its decoded code was dropped). */
    public void clearCodePage(int page) {
        codePages[page >>> 6] &= ~(1L << page);
    }

    /** The number of 64-page words of the code-page bitmap. */
    public int codePageWords() {
        return codePages.length;
    }

    /**
     * Returns word {@code index} of the code-page bitmap (bit {@code i} is page {@code 64*index+i})
     * and clears it: a decoded-code cache being dropped whole walks the marked pages only.
     */
    public long takeCodePageWord(int index) {
        long word = codePages[index];
        codePages[index] = 0;
        return word;
    }

    /** Whether writes to {@code page} are reported. */
    public boolean isCodePage(int page) {
        return (codePages[page >>> 6] & (1L << page)) != 0;
    }

    private void ramWritten(int page) {
        dirtyLog.markPage(page);
        if ((codePages[page >>> 6] & (1L << page)) != 0) {
            codeWriteListener.codePageWritten(page);
        }
    }

    // ---------------------------------------------------------------- A20 gate

    /**
     * Opens or closes the A20 gate (i8042 output port bit 1, port 0x92 bit 1). Closed, bit 20 of every
     * address given to the scalar accessors below is forced to 0. The bulk accessors (device DMA,
     * loaders) are not masked: on a PC the gate sits on the CPU's address line only. A CPU that caches
     * translations to physical addresses must apply the same mask and drop its cache on a change.
     */
    public void setA20Enabled(boolean enabled) {
        int mask = enabled ? -1 : ~(1 << 20);
        if (mask != a20Mask) {
            a20Mask = mask;
            a20ChangeListener.run();
        }
    }

    /** Called after every change of the A20 gate (the CPU's TLB flushes itself there). */
    public void setA20ChangeListener(Runnable listener) {
        this.a20ChangeListener = listener;
    }

    /** Whether the A20 gate is open (the power-on state here, as QEMU's firmware leaves it for a kernel). */
    public boolean isA20Enabled() {
        return a20Mask == -1;
    }

    /** The mask applied to physical addresses: -1, or ~(1 << 20) with the gate closed. */
    public int a20Mask() {
        return a20Mask;
    }

    // ---------------------------------------------------------------- scalar access

    /** Reads a byte at a physical address; unmapped memory reads as all ones. */
    public int read8(int address) {
        address &= a20Mask;
        int page = address >>> PAGE_SHIFT;
        byte kind = pageKind[page];
        if (kind == RAM || kind == ROM) {
            return ram.getByte(address) & 0xFF;
        }
        if (kind == MMIO) {
            return mmioHandler[page].mmioRead(address - mmioBase[page], 1) & 0xFF;
        }
        return 0xFF;
    }

    /** Reads a little-endian word; an access that crosses a page is split. */
    public int read16(int address) {
        address &= a20Mask;
        int page = address >>> PAGE_SHIFT;
        if ((address & (PAGE_SIZE - 1)) <= PAGE_SIZE - 2) {
            byte kind = pageKind[page];
            if (kind == RAM || kind == ROM) {
                return ram.getShort(address) & 0xFFFF;
            }
            if (kind == MMIO) {
                return mmioHandler[page].mmioRead(address - mmioBase[page], 2) & 0xFFFF;
            }
            return 0xFFFF;
        }
        return read8(address) | (read8(address + 1) << 8);
    }

    /** Reads a little-endian dword; an access that crosses a page is split. */
    public int read32(int address) {
        address &= a20Mask;
        int page = address >>> PAGE_SHIFT;
        if ((address & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4) {
            byte kind = pageKind[page];
            if (kind == RAM || kind == ROM) {
                return ram.getInt(address);
            }
            if (kind == MMIO) {
                return mmioHandler[page].mmioRead(address - mmioBase[page], 4);
            }
            return 0xFFFFFFFF;
        }
        return read8(address) | (read8(address + 1) << 8) | (read8(address + 2) << 16) | (read8(address + 3) << 24);
    }

    /** Writes a byte, marking its RAM page dirty; ROM and unmapped bytes ignore it. */
    public void write8(int address, int value) {
        address &= a20Mask;
        int page = address >>> PAGE_SHIFT;
        byte kind = pageKind[page];
        if (kind == RAM) {
            ram.putByte(address, (byte) value);
            ramWritten(page);
        } else if (kind == MMIO) {
            mmioHandler[page].mmioWrite(address - mmioBase[page], 1, value & 0xFF);
        }
    }

    /** Writes a little-endian word, marking every RAM page it touches dirty. */
    public void write16(int address, int value) {
        address &= a20Mask;
        int page = address >>> PAGE_SHIFT;
        if ((address & (PAGE_SIZE - 1)) <= PAGE_SIZE - 2) {
            byte kind = pageKind[page];
            if (kind == RAM) {
                ram.putShort(address, (short) value);
                ramWritten(page);
            } else if (kind == MMIO) {
                mmioHandler[page].mmioWrite(address - mmioBase[page], 2, value & 0xFFFF);
            }
            return;
        }
        write8(address, value);
        write8(address + 1, value >>> 8);
    }

    /** Writes a little-endian dword, marking every RAM page it touches dirty. */
    public void write32(int address, int value) {
        address &= a20Mask;
        int page = address >>> PAGE_SHIFT;
        if ((address & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4) {
            byte kind = pageKind[page];
            if (kind == RAM) {
                ram.putInt(address, value);
                ramWritten(page);
            } else if (kind == MMIO) {
                mmioHandler[page].mmioWrite(address - mmioBase[page], 4, value);
            }
            return;
        }
        write8(address, value);
        write8(address + 1, value >>> 8);
        write8(address + 2, value >>> 16);
        write8(address + 3, value >>> 24);
    }

    // ---------------------------------------------------------------- bulk access (DMA, loaders)

    /** Copies guest-physical bytes out; unmapped bytes read as 0xFF. */
    public void readBytes(long address, byte[] into, int offset, int length) {
        for (int i = 0; i < length; ) {
            long pa = address + i;
            int page = (int) (pa >>> PAGE_SHIFT);
            int inPage = (int) Math.min(length - i, PAGE_SIZE - (pa & (PAGE_SIZE - 1)));
            if (pa >= 0x1_0000_0000L) {
                java.util.Arrays.fill(into, offset + i, offset + i + inPage, (byte) 0xFF);
            } else if (pageKind[page] == RAM || pageKind[page] == ROM) {
                ram.getBytes((int) pa, into, offset + i, inPage);
            } else {
                for (int k = 0; k < inPage; k++) {
                    into[offset + i + k] = (byte) read8((int) pa + k);
                }
            }
            i += inPage;
        }
    }

    /**
     * Copies bytes into guest-physical memory as a device's DMA would: RAM pages are written and
     * marked dirty, ROM and unmapped bytes are dropped, MMIO gets byte writes.
     */
    public void writeBytes(long address, byte[] from, int offset, int length) {
        for (int i = 0; i < length; ) {
            long pa = address + i;
            int page = (int) (pa >>> PAGE_SHIFT);
            int inPage = (int) Math.min(length - i, PAGE_SIZE - (pa & (PAGE_SIZE - 1)));
            if (pa >= 0x1_0000_0000L) {
                return;
            }
            if (pageKind[page] == RAM) {
                ram.putBytes((int) pa, from, offset + i, inPage);
                ramWritten(page);
            } else if (pageKind[page] == MMIO) {
                for (int k = 0; k < inPage; k++) {
                    write8((int) pa + k, from[offset + i + k]);
                }
            }
            i += inPage;
        }
    }

    /** Fills [address, address+length) of RAM with {@code value}, marking the pages dirty. */
    public void fill(long address, long length, byte value) {
        byte[] chunk = new byte[PAGE_SIZE];
        java.util.Arrays.fill(chunk, value);
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(length - done, PAGE_SIZE - ((address + done) & (PAGE_SIZE - 1)));
            writeBytes(address + done, chunk, 0, n);
            done += n;
        }
    }
}
