package dev.twinstep.core.cpu;

/**
 * Descriptor fetch and decoding for the GDT and LDT, the accessed and busy bits, loading a segment
 * cache from a descriptor, the inner-level stack pointers of the current TSS, and checked stack
 * frames written before any register is committed. Shared by segment loads, far transfers,
 * interrupt delivery and task switches.
 *
 * <p>A descriptor is handled as one {@code long}: low dword in bits 0-31, high dword in bits 32-63.
 */
final class DescriptorTable {
    /** Descriptor type values (S bit clear). */
    static final int TSS16_AVAILABLE = 1, LDT = 2, TSS16_BUSY = 3, CALL_GATE16 = 4, TASK_GATE = 5,
            INTERRUPT_GATE16 = 6, TRAP_GATE16 = 7, TSS32_AVAILABLE = 9, TSS32_BUSY = 0xB, CALL_GATE32 = 0xC,
            INTERRUPT_GATE32 = 0xE, TRAP_GATE32 = 0xF;

    private final Cpu cpu;
    private final int[] frame = new int[40];

    DescriptorTable(Cpu cpu) {
        this.cpu = cpu;
    }

    /** Scratch for {@link #pushFrame}: callers fill it from index 0 (pushed first). */
    int[] frame() {
        return frame;
    }

    /** Linear address of the selector's descriptor, or 1 (odd: never a valid address) if beyond the table. */
    int address(int selector) {
        int index = selector & 0xFFF8;
        int base;
        int limit;
        if ((selector & 4) != 0) {
            if ((cpu.ldtrAttr & Cpu.ATTR_UNUSABLE) != 0) {
                return 1;
            }
            base = cpu.ldtrBase;
            limit = cpu.ldtrLimit;
        } else {
            base = cpu.gdtrBase;
            limit = cpu.gdtrLimit;
        }
        if (Integer.compareUnsigned(index + 7, limit) > 0) {
            return 1;
        }
        return base + index;
    }

    /** Reads the selector's descriptor, raising {@code vector(errorCode)} if it lies beyond its table. */
    long read(int selector, int vector, int errorCode) {
        int address = address(selector);
        if (address == 1) {
            throw cpu.fault(vector, errorCode);
        }
        return readAt(address);
    }

    long readAt(int address) {
        int low = cpu.mmu.readSystem32(address);
        int high = cpu.mmu.readSystem32(address + 4);
        return (low & 0xFFFFFFFFL) | ((long) high << 32);
    }

    /** Sets the accessed bit of a code/data descriptor in memory, as the hardware does on a load. */
    void setAccessed(int selector, long descriptor) {
        if ((descriptor & (1L << 40)) == 0) {
            int address = address(selector);
            cpu.mmu.writeSystem8(address + 5, (int) (descriptor >>> 40) | 1);
        }
    }

    static int high(long descriptor) {
        return (int) (descriptor >>> 32);
    }

    static int base(long descriptor) {
        int low = (int) descriptor;
        int high = high(descriptor);
        return (low >>> 16) | ((high & 0xFF) << 16) | (high & 0xFF000000);
    }

    /** The byte-granular limit (granularity applied). */
    static int limit(long descriptor) {
        int high = high(descriptor);
        int limit = ((int) descriptor & 0xFFFF) | (high & 0xF0000);
        return (high & (1 << 23)) != 0 ? (limit << 12) | 0xFFF : limit;
    }

    /** The hidden attribute word: descriptor bits 40-55 without the limit nibble. */
    static int attributes(long descriptor) {
        return (high(descriptor) >>> 8) & 0xF0FF;
    }

    static int type(long descriptor) {
        return high(descriptor) >>> 8 & 0xF;
    }

    static boolean isSegment(long descriptor) {
        return (high(descriptor) & (1 << 12)) != 0;
    }

    static boolean isCode(long descriptor) {
        return isSegment(descriptor) && (type(descriptor) & 8) != 0;
    }

    static boolean isConforming(long descriptor) {
        return isCode(descriptor) && (type(descriptor) & 4) != 0;
    }

    static boolean isReadable(long descriptor) {
        return isSegment(descriptor) && ((type(descriptor) & 8) == 0 || (type(descriptor) & 2) != 0);
    }

    static boolean isWritableData(long descriptor) {
        return isSegment(descriptor) && (type(descriptor) & 0xA) == 0x2;
    }

    static int dpl(long descriptor) {
        return high(descriptor) >>> 13 & 3;
    }

    static boolean present(long descriptor) {
        return (high(descriptor) & (1 << 15)) != 0;
    }

    /** Gate target offset: 32 bits for 386 gates, 16 for 286 gates. */
    static int gateOffset(long descriptor) {
        int low = (int) descriptor & 0xFFFF;
        return (type(descriptor) & 8) != 0 ? low | (high(descriptor) & 0xFFFF0000) : low;
    }

    static int gateSelector(long descriptor) {
        return (int) descriptor >>> 16;
    }

    /** Loads a segment register's cache; the accessed bit is set in the cached attributes too. */
    void loadCache(int seg, int selector, long descriptor) {
        cpu.segSel[seg] = selector & 0xFFFF;
        cpu.segBase[seg] = base(descriptor);
        cpu.segLimit[seg] = limit(descriptor);
        cpu.segAttr[seg] = attributes(descriptor) | 1;
    }

    /** Marks a data segment register unusable (null selector in protected mode). */
    void loadNull(int seg, int selector) {
        cpu.segSel[seg] = selector & 0xFFFF;
        cpu.segBase[seg] = 0;
        cpu.segLimit[seg] = 0;
        cpu.segAttr[seg] = Cpu.ATTR_UNUSABLE;
    }

    // ---------------------------------------------------------------- TSS inner stacks

    boolean tss32() {
        return (cpu.trAttr & 8) != 0;
    }

    /**
     * The SS:ESP of privilege level {@code dpl} from the current TSS, packed as SS in bits 32-47 and
     * ESP in bits 0-31; #TS(TR selector + ext) if the TSS is too short.
     */
    long innerStack(int dpl, int ext) {
        int trBase = cpu.trBase;
        if (tss32()) {
            int at = 4 + dpl * 8;
            if (Integer.compareUnsigned(at + 7, cpu.trLimit) > 0) {
                throw cpu.fault(CpuException.TS, (cpu.trSel & 0xFFFC) | ext);
            }
            int esp = cpu.mmu.readSystem32(trBase + at);
            int ss = cpu.mmu.readSystem16(trBase + at + 4);
            return (esp & 0xFFFFFFFFL) | ((long) ss << 32);
        }
        int at = 2 + dpl * 4;
        if (Integer.compareUnsigned(at + 3, cpu.trLimit) > 0) {
            throw cpu.fault(CpuException.TS, (cpu.trSel & 0xFFFC) | ext);
        }
        int sp = cpu.mmu.readSystem16(trBase + at);
        int ss = cpu.mmu.readSystem16(trBase + at + 2);
        return sp | ((long) ss << 32);
    }

    /**
     * Checks the stack segment of an inner-level switch (from the TSS): every failure is
     * #TS(selector + ext), except not present, which is #SS(selector + ext).
     */
    long checkInnerStackSegment(int ssSelector, int dpl, int ext) {
        int code = (ssSelector & 0xFFFC) | ext;
        if ((ssSelector & 0xFFFC) == 0) {
            throw cpu.fault(CpuException.TS, ext);
        }
        if ((ssSelector & 3) != dpl) {
            throw cpu.fault(CpuException.TS, code);
        }
        long ss = read(ssSelector, CpuException.TS, code);
        if (!isWritableData(ss) || dpl(ss) != dpl) {
            throw cpu.fault(CpuException.TS, code);
        }
        if (!present(ss)) {
            throw cpu.fault(CpuException.SS, code);
        }
        return ss;
    }

    // ---------------------------------------------------------------- checked stack frames

    /** Whether [offset, offset+size) lies inside a segment with the given cached limit and attributes. */
    static boolean fits(int attr, int limit, int offset, int size) {
        long first = offset & 0xFFFFFFFFL;
        long last = first + size - 1;
        long max = limit & 0xFFFFFFFFL;
        if ((attr & Cpu.ATTR_S) != 0 && (attr & 0xC) == 0x4) {
            long upper = (attr & Cpu.ATTR_DB) != 0 ? 0xFFFFFFFFL : 0xFFFFL;
            return first > max && last <= upper;
        }
        return last <= max || max == 0xFFFFFFFFL;
    }

    /**
     * Pushes {@code count} values from {@link #frame()} (index 0 first, so at the highest address)
     * onto a stack described by its cache, as {@code width}-byte items. Limits and pages are checked
     * before anything is stored; a limit violation raises #SS(faultCode).
     *
     * @return the new stack pointer (the whole ESP for a 32-bit stack, high bits kept for 16-bit)
     */
    int pushFrame(int ssBase, int ssLimit, int ssAttr, int esp, int count, int width, boolean user, int faultCode) {
        boolean big = (ssAttr & Cpu.ATTR_DB) != 0;
        int size = count * width;
        int top = big ? esp - size : (esp - size) & 0xFFFF;
        if (!fits(ssAttr, ssLimit, top, size)) {
            throw cpu.fault(CpuException.SS, faultCode);
        }
        cpu.mmu.probeWrite(ssBase + top, size, user);
        for (int i = 0; i < count; i++) {
            int offset = top + (count - 1 - i) * width;
            if (!big) {
                offset &= 0xFFFF;
            }
            if (width == 4) {
                cpu.mmu.writeLinear32(ssBase + offset, frame[i], user);
            } else {
                cpu.mmu.writeLinear16(ssBase + offset, frame[i], user);
            }
        }
        return big ? top : (esp & 0xFFFF0000) | top;
    }
}
