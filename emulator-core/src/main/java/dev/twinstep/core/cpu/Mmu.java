package dev.twinstep.core.cpu;

import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Segmented and linear memory access for the CPU: segment limit and rights checks, paging with a
 * software TLB, and the physical access through {@link GuestMemory} (which marks pages dirty).
 *
 * <p>Fast path: a segment whose cached limit is 4 GiB and whose type allows the access skips every
 * check, so a flat access costs a base add, one tag compare and one RAM access (plus the dirty mark
 * for writes). Everything else (limits, page walks, page-crossing accesses, MMIO, ROM, code pages)
 * goes through the slow paths here and in {@link PagingUnit}.
 */
public final class Mmu {
    /** Bit (S|type) set when a flat segment of that type may be read without checks. */
    private static final int READABLE_TYPES = readableTypes();
    /** Bit (S|type) set when a flat segment of that type may be written without checks. */
    private static final int WRITABLE_TYPES = (1 << 0x12) | (1 << 0x13);
    private static final int SEGMENT_KEY = Cpu.ATTR_S | Cpu.ATTR_TYPE_MASK;

    private final Cpu cpu;
    private final GuestMemory memory;
    private final UnsafeBuffer ram;
    private final DirtyLog dirtyLog;
    private final Tlb tlb = new Tlb();
    private final PagingUnit paging;

    Mmu(Cpu cpu) {
        this.cpu = cpu;
        this.memory = cpu.memory;
        this.ram = memory.ram();
        this.dirtyLog = memory.dirtyLog();
        this.paging = new PagingUnit(cpu, tlb);
    }

    private static int readableTypes() {
        int mask = 0;
        for (int type = 0; type < 16; type++) {
            boolean code = (type & 8) != 0;
            boolean expandDown = !code && (type & 4) != 0;
            boolean readable = !code || (type & 2) != 0;
            if (readable && !expandDown) {
                mask |= 1 << (Cpu.ATTR_S | type);
            }
        }
        return mask;
    }

    // ---------------------------------------------------------------- segmented data access

    /** Reads a byte at {@code seg:offset}, with the segment and paging checks of a data read. */
    public int read8(int seg, int offset) {
        return readLinear8(checkedRead(seg, offset, 1));
    }

    /** Reads a word at {@code seg:offset}. */
    public int read16(int seg, int offset) {
        return readLinear16(checkedRead(seg, offset, 2));
    }

    /** Reads a dword at {@code seg:offset}. */
    public int read32(int seg, int offset) {
        return readLinear32(checkedRead(seg, offset, 4));
    }

    /** Writes a byte at {@code seg:offset}, with the segment and paging checks of a data write. */
    public void write8(int seg, int offset, int value) {
        writeLinear8(checkedWrite(seg, offset, 1), value);
    }

    /** Writes a word at {@code seg:offset}; both pages are checked first if it crosses one. */
    public void write16(int seg, int offset, int value) {
        writeLinear16(checkedWrite(seg, offset, 2), value);
    }

    /** Writes a dword at {@code seg:offset}; both pages are checked first if it crosses one. */
    public void write32(int seg, int offset, int value) {
        writeLinear32(checkedWrite(seg, offset, 4), value);
    }

    private int checkedRead(int seg, int offset, int size) {
        int attr = cpu.segAttr[seg];
        if (cpu.segLimit[seg] != -1 || ((READABLE_TYPES >>> (attr & SEGMENT_KEY)) & 1) == 0
                || (attr & Cpu.ATTR_UNUSABLE) != 0) {
            checkSegment(seg, offset, size, false);
        }
        return cpu.segBase[seg] + offset;
    }

    private int checkedWrite(int seg, int offset, int size) {
        int attr = cpu.segAttr[seg];
        if (cpu.segLimit[seg] != -1 || ((WRITABLE_TYPES >>> (attr & SEGMENT_KEY)) & 1) == 0
                || (attr & Cpu.ATTR_UNUSABLE) != 0) {
            checkSegment(seg, offset, size, true);
        }
        return cpu.segBase[seg] + offset;
    }

    /**
     * The full segment check: rights in protected mode (not in real mode, where only the cached
     * limit applies), then the limit for expand-up or expand-down segments.
     *
     * @throws CpuException #GP(0), or #SS(0) for SS
     */
    public void checkSegment(int seg, int offset, int size, boolean write) {
        int attr = cpu.segAttr[seg];
        if (cpu.protectedMode() && (cpu.eflags & Cpu.VM) == 0) {
            if ((attr & Cpu.ATTR_UNUSABLE) != 0 || (attr & Cpu.ATTR_S) == 0) {
                throw segmentFault(seg);
            }
            int type = attr & Cpu.ATTR_TYPE_MASK;
            boolean code = (type & 8) != 0;
            if (write ? code || (type & 2) == 0 : code && (type & 2) == 0) {
                throw segmentFault(seg);
            }
        }
        long first = offset & 0xFFFFFFFFL;
        long last = first + size - 1;
        long limit = cpu.segLimit[seg] & 0xFFFFFFFFL;
        if ((attr & Cpu.ATTR_S) != 0 && (attr & 0xC) == 0x4) {
            long upper = (attr & Cpu.ATTR_DB) != 0 ? 0xFFFFFFFFL : 0xFFFFL;
            if (first <= limit || last > upper) {
                throw segmentFault(seg);
            }
        } else if (last > limit && limit != 0xFFFFFFFFL) {
            throw segmentFault(seg);
        }
    }

    private CpuException segmentFault(int seg) {
        return cpu.fault(seg == Cpu.SS ? CpuException.SS : CpuException.GP, 0);
    }

    // ---------------------------------------------------------------- linear access at the current CPL

    /** Reads a byte at a linear address with the current CPL's paging rights. */
    public int readLinear8(int linear) {
        return readLinear8(linear, cpu.cpl == 3);
    }

    /** Reads a word at a linear address with the current CPL's paging rights. */
    public int readLinear16(int linear) {
        return readLinear16(linear, cpu.cpl == 3);
    }

    /** Reads a dword at a linear address with the current CPL's paging rights. */
    public int readLinear32(int linear) {
        return readLinear32(linear, cpu.cpl == 3);
    }

    /** Writes a byte at a linear address with the current CPL's paging rights. */
    public void writeLinear8(int linear, int value) {
        writeLinear8(linear, value, cpu.cpl == 3);
    }

    /** Writes a word at a linear address with the current CPL's paging rights. */
    public void writeLinear16(int linear, int value) {
        writeLinear16(linear, value, cpu.cpl == 3);
    }

    /** Writes a dword at a linear address with the current CPL's paging rights. */
    public void writeLinear32(int linear, int value) {
        writeLinear32(linear, value, cpu.cpl == 3);
    }

    // ---------------------------------------------------------------- linear access with explicit privilege

    /** Reads a byte as a user ({@code user}) or supervisor access. */
    public int readLinear8(int linear, boolean user) {
        int slot = Tlb.slot(linear);
        if ((user ? tlb.readUser : tlb.readSupervisor)[slot] == (linear & Tlb.PAGE_MASK)) {
            return ram.getByte(linear + tlb.addend[slot]) & 0xFF;
        }
        return memory.read8(paging.translate(linear, false, user));
    }

    /** Reads a word as a user ({@code user}) or supervisor access. */
    public int readLinear16(int linear, boolean user) {
        int slot = Tlb.slot(linear);
        if ((user ? tlb.readUser : tlb.readSupervisor)[slot] == (linear & Tlb.PAGE_MASK)
                && (linear & 0xFFF) <= 0xFFE) {
            return ram.getShort(linear + tlb.addend[slot]) & 0xFFFF;
        }
        return readSlow(linear, 2, user);
    }

    /** Reads a dword as a user ({@code user}) or supervisor access. */
    public int readLinear32(int linear, boolean user) {
        int slot = Tlb.slot(linear);
        if ((user ? tlb.readUser : tlb.readSupervisor)[slot] == (linear & Tlb.PAGE_MASK)
                && (linear & 0xFFF) <= 0xFFC) {
            return ram.getInt(linear + tlb.addend[slot]);
        }
        return readSlow(linear, 4, user);
    }

    /** Writes a byte as a user ({@code user}) or supervisor access. */
    public void writeLinear8(int linear, int value, boolean user) {
        int slot = Tlb.slot(linear);
        if ((user ? tlb.writeUser : tlb.writeSupervisor)[slot] == (linear & Tlb.PAGE_MASK)) {
            int physical = linear + tlb.addend[slot];
            ram.putByte(physical, (byte) value);
            dirtyLog.markPage(physical >>> GuestMemory.PAGE_SHIFT);
            return;
        }
        memory.write8(paging.translate(linear, true, user), value);
    }

    /** Writes a word as a user ({@code user}) or supervisor access. */
    public void writeLinear16(int linear, int value, boolean user) {
        int slot = Tlb.slot(linear);
        if ((user ? tlb.writeUser : tlb.writeSupervisor)[slot] == (linear & Tlb.PAGE_MASK)
                && (linear & 0xFFF) <= 0xFFE) {
            int physical = linear + tlb.addend[slot];
            ram.putShort(physical, (short) value);
            dirtyLog.markPage(physical >>> GuestMemory.PAGE_SHIFT);
            return;
        }
        writeSlow(linear, value, 2, user);
    }

    /** Writes a dword as a user ({@code user}) or supervisor access. */
    public void writeLinear32(int linear, int value, boolean user) {
        int slot = Tlb.slot(linear);
        if ((user ? tlb.writeUser : tlb.writeSupervisor)[slot] == (linear & Tlb.PAGE_MASK)
                && (linear & 0xFFF) <= 0xFFC) {
            int physical = linear + tlb.addend[slot];
            ram.putInt(physical, value);
            dirtyLog.markPage(physical >>> GuestMemory.PAGE_SHIFT);
            return;
        }
        writeSlow(linear, value, 4, user);
    }

    private int readSlow(int linear, int size, boolean user) {
        if ((linear & 0xFFF) <= GuestMemory.PAGE_SIZE - size) {
            int physical = paging.translate(linear, false, user);
            return size == 2 ? memory.read16(physical) : memory.read32(physical);
        }
        int second = (linear + size - 1) & Tlb.PAGE_MASK;
        int firstPhysical = paging.translate(linear, false, user);
        int secondPhysical = paging.translate(second, false, user);
        int value = 0;
        for (int i = 0; i < size; i++) {
            int address = linear + i;
            int physical = (address & Tlb.PAGE_MASK) == second
                    ? secondPhysical + (address - second) : firstPhysical + i;
            value |= memory.read8(physical) << (8 * i);
        }
        return value;
    }

    private void writeSlow(int linear, int value, int size, boolean user) {
        if ((linear & 0xFFF) <= GuestMemory.PAGE_SIZE - size) {
            int physical = paging.translate(linear, true, user);
            if (size == 2) {
                memory.write16(physical, value);
            } else {
                memory.write32(physical, value);
            }
            return;
        }
        // Both pages are translated (and may fault) before any byte is stored.
        int second = (linear + size - 1) & Tlb.PAGE_MASK;
        int firstPhysical = paging.translate(linear, true, user);
        int secondPhysical = paging.translate(second, true, user);
        for (int i = 0; i < size; i++) {
            int address = linear + i;
            int physical = (address & Tlb.PAGE_MASK) == second
                    ? secondPhysical + (address - second) : firstPhysical + i;
            memory.write8(physical, value >>> (8 * i));
        }
    }

    /**
     * Checks, without storing anything, that {@code length} bytes at {@code linear} may be written
     * (translating and marking dirty both end pages), so that a multi-part store such as an
     * interrupt frame cannot fault half-way.
     */
    public void probeWrite(int linear, int length, boolean user) {
        paging.translate(linear, true, user);
        int last = linear + length - 1;
        if (((last ^ linear) & Tlb.PAGE_MASK) != 0) {
            paging.translate(last, true, user);
        }
    }

    // ---------------------------------------------------------------- supervisor access (GDT, IDT, TSS)

    /** Implicit supervisor read (descriptor tables, TSS): paged, but never a user access. */
    public int readSystem8(int linear) {
        return readLinear8(linear, false);
    }

    /** Implicit supervisor word read. */
    public int readSystem16(int linear) {
        return readLinear16(linear, false);
    }

    /** Implicit supervisor dword read. */
    public int readSystem32(int linear) {
        return readLinear32(linear, false);
    }

    /** Implicit supervisor write (accessed/busy bits, TSS state): paged, never a user access. */
    public void writeSystem8(int linear, int value) {
        writeLinear8(linear, value, false);
    }

    /** Implicit supervisor word write. */
    public void writeSystem16(int linear, int value) {
        writeLinear16(linear, value, false);
    }

    /** Implicit supervisor dword write. */
    public void writeSystem32(int linear, int value) {
        writeLinear32(linear, value, false);
    }

    // ---------------------------------------------------------------- instruction fetch

    /**
     * Translates a linear code address for execution at the current CPL; raises #PF on failure.
     *
     * <p>Code is about to be decoded from the physical page, which then becomes a code page: if it
     * is not one yet, every write fast path to it is dropped first, so that later stores through
     * any alias reach {@code GuestMemory.write*} and invalidate the decoded blocks.
     */
    public int translateFetch(int linear) {
        boolean user = cpu.cpl == 3;
        int slot = Tlb.slot(linear);
        int physical;
        if ((user ? tlb.readUser : tlb.readSupervisor)[slot] == (linear & Tlb.PAGE_MASK)) {
            physical = linear + tlb.addend[slot];
        } else {
            physical = paging.translate(linear, false, user);
        }
        int page = physical >>> GuestMemory.PAGE_SHIFT;
        if (!memory.isCodePage(page)) {
            tlb.dropWrites(page);
        }
        return physical;
    }

    /**
     * Translates a linear address for a data access without touching memory (A/D bits are set as
     * the access would set them). Useful for string instructions and debuggers.
     */
    public int translate(int linear, boolean write, boolean user) {
        return paging.translate(linear, write, user);
    }

    // ---------------------------------------------------------------- TLB maintenance

    /** Drops every cached translation, global pages included (CR0.PG/WP or CR4.PSE/PGE change). */
    public void flushTlb() {
        tlb.flush();
    }

    /** INVLPG: drops the translation of one linear page. */
    public void invalidatePage(int linear) {
        tlb.invalidate(linear);
    }

    /**
     * Drops the write fast path of every linear page mapped to {@code physicalPage}: called when the
     * page starts holding decoded code, so later stores reach {@code GuestMemory.write*}, which
     * notifies the block cache.
     */
    public void dropWriteMappings(int physicalPage) {
        tlb.dropWrites(physicalPage);
    }

    // ---------------------------------------------------------------- control registers

    /** MOV CR0: applies the new value and flushes what the change invalidates; #GP(0) on PG without PE. */
    public void writeCr0(int value) {
        if ((value & Cpu.CR0_PG) != 0 && (value & Cpu.CR0_PE) == 0
                || (value & Cpu.CR0_NW) != 0 && (value & Cpu.CR0_CD) == 0) {
            throw cpu.fault(CpuException.GP, 0);
        }
        int old = cpu.cr0;
        cpu.cr0 = value | Cpu.CR0_ET;
        if (((old ^ cpu.cr0) & (Cpu.CR0_PG | Cpu.CR0_WP | Cpu.CR0_PE)) != 0) {
            flushTlb();
        }
    }

    /** MOV CR3: new page directory; flushes the TLB except global pages when CR4.PGE is set. */
    public void writeCr3(int value) {
        cpu.cr3 = value;
        if ((cpu.cr4 & Cpu.CR4_PGE) != 0) {
            tlb.flushNonGlobal();
        } else {
            flushTlb();
        }
    }

    /** MOV CR4. */
    public void writeCr4(int value) {
        int old = cpu.cr4;
        cpu.cr4 = value;
        if (((old ^ value) & (Cpu.CR4_PSE | Cpu.CR4_PGE)) != 0) {
            flushTlb();
        }
    }
}
