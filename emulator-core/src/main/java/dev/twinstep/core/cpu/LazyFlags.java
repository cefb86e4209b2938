package dev.twinstep.core.cpu;

/**
 * Lazy evaluation of the arithmetic flags. A flag-setting instruction records its kind, operands,
 * result and width in the CPU ({@code lazyKind}, {@code lazyDst}, {@code lazySrc}, {@code lazyRes},
 * {@code lazyWidth}) and names in {@code lazyMask} which flags those fields define; a flag is only
 * computed when something reads it. Flags outside the mask live in {@code eflags} as usual, which is
 * how INC/DEC keep CF and shifts set CF/OF eagerly while SF/ZF/PF stay lazy.
 */
public final class LazyFlags {
    /** dst + src. */
    public static final int ADD = 0;
    /** dst + src + 1 (ADC with carry in; ADC without carry is recorded as ADD). */
    public static final int ADC = 1;
    /** dst - src. */
    public static final int SUB = 2;
    /** dst - src - 1 (SBB with borrow in). */
    public static final int SBB = 3;
    /** Logical result: CF = OF = AF = 0. */
    public static final int LOGIC = 4;

    private LazyFlags() {
    }

    /** Records an operation whose six arithmetic flags all follow from its operands and result. */
    public static void set(Cpu cpu, int kind, int dst, int src, int result, int width) {
        cpu.lazyKind = kind;
        cpu.lazyDst = dst;
        cpu.lazySrc = src;
        cpu.lazyRes = result;
        cpu.lazyWidth = width;
        cpu.lazyMask = Cpu.ARITH_FLAGS;
    }

    /** Records a logical result (AND, OR, XOR, TEST): CF, OF and AF cleared. */
    public static void logic(Cpu cpu, int result, int width) {
        cpu.lazyKind = LOGIC;
        cpu.lazyRes = result;
        cpu.lazyWidth = width;
        cpu.lazyMask = Cpu.ARITH_FLAGS;
    }

    /**
     * Records SF, ZF and PF from {@code result}; CF, OF and AF are set eagerly by the caller. Used by
     * shifts, multiplies and BCD adjusts.
     */
    public static void result(Cpu cpu, int result, int width, boolean cf, boolean of, boolean af) {
        int flags = cpu.eflags & ~(Cpu.CF | Cpu.OF | Cpu.AF);
        if (cf) {
            flags |= Cpu.CF;
        }
        if (of) {
            flags |= Cpu.OF;
        }
        if (af) {
            flags |= Cpu.AF;
        }
        cpu.eflags = flags;
        cpu.lazyKind = LOGIC;
        cpu.lazyRes = result;
        cpu.lazyWidth = width;
        cpu.lazyMask = Cpu.SF | Cpu.ZF | Cpu.PF;
    }

    /** INC/DEC: like ADD/SUB of 1 but CF keeps its value. */
    public static void incDec(Cpu cpu, int kind, int dst, int result, int width) {
        if ((cpu.lazyMask & Cpu.CF) != 0) {
            cpu.eflags = carry(cpu) ? cpu.eflags | Cpu.CF : cpu.eflags & ~Cpu.CF;
        }
        cpu.lazyKind = kind;
        cpu.lazyDst = dst;
        cpu.lazySrc = 1;
        cpu.lazyRes = result;
        cpu.lazyWidth = width;
        cpu.lazyMask = Cpu.ARITH_FLAGS & ~Cpu.CF;
    }

    static boolean carry(Cpu cpu) {
        int w = cpu.lazyWidth;
        switch (cpu.lazyKind) {
            case ADD:
                return Integer.compareUnsigned(cpu.lazyRes & w, cpu.lazyDst & w) < 0;
            case ADC:
                return Integer.compareUnsigned(cpu.lazyRes & w, cpu.lazyDst & w) <= 0;
            case SUB:
                return Integer.compareUnsigned(cpu.lazyDst & w, cpu.lazySrc & w) < 0;
            case SBB:
                return Integer.compareUnsigned(cpu.lazyDst & w, cpu.lazySrc & w) <= 0;
            default:
                return false;
        }
    }

    static boolean overflow(Cpu cpu) {
        int sign = (cpu.lazyWidth >>> 1) + 1;
        int d = cpu.lazyDst, s = cpu.lazySrc, r = cpu.lazyRes;
        switch (cpu.lazyKind) {
            case ADD:
            case ADC:
                return ((d ^ r) & (s ^ r) & sign) != 0;
            case SUB:
            case SBB:
                return ((d ^ s) & (d ^ r) & sign) != 0;
            default:
                return false;
        }
    }

    static boolean adjust(Cpu cpu) {
        return cpu.lazyKind != LOGIC && ((cpu.lazyDst ^ cpu.lazySrc ^ cpu.lazyRes) & 0x10) != 0;
    }

    /** The eflags value with every lazily held flag computed. */
    static int materialise(Cpu cpu) {
        int mask = cpu.lazyMask;
        int f = cpu.eflags & ~mask;
        if ((mask & Cpu.CF) != 0 && carry(cpu)) {
            f |= Cpu.CF;
        }
        if ((mask & Cpu.PF) != 0 && (Integer.bitCount(cpu.lazyRes & 0xFF) & 1) == 0) {
            f |= Cpu.PF;
        }
        if ((mask & Cpu.AF) != 0 && adjust(cpu)) {
            f |= Cpu.AF;
        }
        if ((mask & Cpu.ZF) != 0 && (cpu.lazyRes & cpu.lazyWidth) == 0) {
            f |= Cpu.ZF;
        }
        if ((mask & Cpu.SF) != 0 && (cpu.lazyRes & ((cpu.lazyWidth >>> 1) + 1)) != 0) {
            f |= Cpu.SF;
        }
        if ((mask & Cpu.OF) != 0 && overflow(cpu)) {
            f |= Cpu.OF;
        }
        return f;
    }
}
