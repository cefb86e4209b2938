package dev.twinstep.core.cpu;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;

/**
 * The architecturally visible state of one i386 CPU, plus the units that act on it.
 *
 * <p>Ownership (see CONTRIBUTING notes in the package): the register file, flags, the execution
 * loop and the instruction set live with this class and the decoder; segmentation, paging, the TLB,
 * interrupt delivery and task switching live in {@link Mmu}, {@link Segmentation} and
 * {@link Interrupts}. Only the machine thread touches any of it.
 */
public final class Cpu {
    public static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    // EFLAGS bits
    public static final int CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8,
            IF = 1 << 9, DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17,
            AC = 1 << 18, ID = 1 << 21;
    public static final int ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;

    // Hidden segment attribute word: descriptor bits 40-55 shifted down by 8 (LAR layout >> 8),
    // plus UNUSABLE for a null selector loaded in protected mode.
    public static final int ATTR_TYPE_MASK = 0x0F, ATTR_S = 1 << 4, ATTR_DPL_SHIFT = 5, ATTR_P = 1 << 7,
            ATTR_AVL = 1 << 12, ATTR_DB = 1 << 14, ATTR_G = 1 << 15, ATTR_UNUSABLE = 1 << 16;

    public static final int CR0_PE = 1, CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_ET = 1 << 4,
            CR0_NE = 1 << 5, CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30, CR0_PG = 1 << 31;
    public static final int CR4_VME = 1, CR4_PVI = 2, CR4_TSD = 4, CR4_DE = 8, CR4_PSE = 1 << 4, CR4_PGE = 1 << 7;

    /** General registers, indexed EAX..EDI. */
    public final int[] regs = new int[8];
    /** Scratch space for handlers that must read several values before committing (POPA). */
    final int[] scratch8 = new int[8];
    /**
     * Offset in CS of the next instruction to execute; between instructions and when a handler
     * throws, the faulting instruction's first byte. Inside a handler it is not kept current (the
     * interpreter saves that store per instruction): use {@link #instructionEip(Insn)} there.
     */
    public int eip;
    /** Where execution continues when the current instruction completes; control transfers set it. */
    public int nextEip;

    /**
     * EFLAGS. The non-arithmetic bits (TF, IF, DF, IOPL, NT, RF, VM, AC, ID) are always exact here;
     * the arithmetic bits named in {@link #lazyMask} are held lazily, so read the whole value with
     * {@link #getEflags()} and write it with {@link #setEflags(int)} (or clear those bits of
     * lazyMask after writing them directly).
     */
    public int eflags = 0x2;

    // Lazy arithmetic flags: the last flag-setting operation, evaluated on demand (see LazyFlags).
    /** Arithmetic flags (subset of ARITH_FLAGS) whose value comes from the lazy state, not eflags. */
    public int lazyMask;
    /** {@link LazyFlags#ADD}, ADC, SUB, SBB or LOGIC. */
    public int lazyKind;
    public int lazyDst, lazySrc, lazyRes;
    /** Operand width of the lazy operation as a value mask: 0xFF, 0xFFFF or 0xFFFFFFFF. */
    public int lazyWidth = -1;

    /** Set by STI (IF 0 -> 1), MOV SS and POP SS: no external interrupt before the next instruction. */
    public boolean interruptShadow;
    /** Set when the executing block must stop after the current instruction (self-modifying code...). */
    public boolean blockExit;
    /** instructionCount at the start of the executing block; see {@link #syncInstructionCount(Insn)}. */
    public long blockStartCount;
    /**
     * Bumped whenever CS or the code's linear-to-physical mapping may change (far transfers,
     * interrupts, exceptions, control-register and TLB instructions, task switches): decoded blocks
     * are chained to their successors only within one epoch.
     */
    public int codeEpoch;
    /**
     * Set by a fused compare-and-branch ({@link FusedOps}) that stopped after its compare (single
     * step, or a #GP at the branch): the interpreter then counts one instruction, not two.
     */
    boolean pairSplit;
    /** RDTSC = instructionCount + tscOffset (WRMSR 0x10 adjusts the offset). */
    public long tscOffset;
    /** IA32_APIC_BASE (MSR 0x1B). */
    public long apicBaseMsr = 0xFEE00900L;

    public final int[] segSel = new int[6];
    public final int[] segBase = new int[6];
    /** Byte-granular limit (granularity already applied). */
    public final int[] segLimit = new int[6];
    public final int[] segAttr = new int[6];

    public int ldtrSel, ldtrBase, ldtrLimit, ldtrAttr;
    public int trSel, trBase, trLimit, trAttr;
    public int gdtrBase, gdtrLimit, idtrBase, idtrLimit;
    public int cr0, cr2, cr3, cr4;
    public final int[] dr = new int[8];
    /** Current privilege level (0-3). */
    public int cpl;

    /** Instructions retired since reset. */
    public long instructionCount;
    /** Set by HLT; cleared when an interrupt is accepted. */
    public boolean halted;

    public final GuestMemory memory;
    public final IoBus io;
    public final Mmu mmu;
    public final Segmentation segmentation;
    public final Interrupts interrupts;
    /** The one preallocated exception instance; use {@code throw fault(...)}. */
    public final CpuException exception = new CpuException();
    public InterruptSource interruptSource = InterruptSource.NONE;
    /** Set by the platform that wires a local APIC: CPUID leaf 1 then reports it (EDX bit 9). */
    public boolean localApicPresent;
    private final Interpreter interpreter;

    public Cpu(GuestMemory memory, IoBus io) {
        this.memory = memory;
        this.io = io;
        this.mmu = new Mmu(this);
        this.segmentation = new Segmentation(this);
        this.interrupts = new Interrupts(this);
        this.interpreter = new Interpreter(this);
        // Cached translations and block links were made with the old A20 mask.
        memory.setA20ChangeListener(() -> {
            mmu.flushTlb();
            flushDecodedCode();
        });
        reset();
    }

    /** Power-on state: real mode, CS:IP = F000:FFF0 with CS base FFFF0000. */
    public void reset() {
        java.util.Arrays.fill(regs, 0);
        regs[EDX] = 0x00000633; // family 6 signature, as after RESET
        eflags = 0x2;
        for (int s = 0; s < 6; s++) {
            segSel[s] = 0;
            segBase[s] = 0;
            segLimit[s] = 0xFFFF;
            segAttr[s] = ATTR_P | ATTR_S | 0x3; // present, read/write data, accessed
        }
        segSel[CS] = 0xF000;
        segBase[CS] = 0xFFFF0000;
        segAttr[CS] = ATTR_P | ATTR_S | 0xB; // present, execute/read code, accessed
        eip = 0xFFF0;
        nextEip = eip;
        ldtrSel = ldtrBase = 0;
        ldtrLimit = 0xFFFF;
        ldtrAttr = ATTR_P | 0x2;
        trSel = trBase = 0;
        trLimit = 0xFFFF;
        trAttr = ATTR_P | 0xB;
        gdtrBase = idtrBase = 0;
        gdtrLimit = idtrLimit = 0xFFFF;
        cr0 = 0x60000010;
        cr2 = cr3 = cr4 = 0;
        java.util.Arrays.fill(dr, 0);
        dr[6] = 0xFFFF0FF0;
        dr[7] = 0x400;
        cpl = 0;
        halted = false;
        lazyMask = 0;
        interruptShadow = false;
        pairSplit = false;
        blockExit = true;
        tscOffset = 0;
        codeEpoch++;
        apicBaseMsr = 0xFEE00900L;
        mmu.flushTlb();
    }

    /**
     * The executing instruction's own EIP, for the few handlers that restart it or report it: on
     * handler entry {@link #nextEip} is the address just past it, so this must be called before the
     * handler changes nextEip.
     */
    int instructionEip(Insn i) {
        return (nextEip - i.length) & (code32() ? -1 : 0xFFFF);
    }

    public CpuException fault(int vector, int errorCode) {
        return exception.set(vector, errorCode, true);
    }

    public CpuException fault(int vector) {
        return exception.set(vector, 0, false);
    }

    public boolean protectedMode() {
        return (cr0 & CR0_PE) != 0;
    }

    public boolean code32() {
        return (segAttr[CS] & ATTR_DB) != 0;
    }

    public boolean stack32() {
        return (segAttr[SS] & ATTR_DB) != 0;
    }

    public int iopl() {
        return (eflags >>> 12) & 3;
    }

    /** The full EFLAGS value, with any lazily held arithmetic flags materialised. */
    public int getEflags() {
        if (lazyMask != 0) {
            eflags = LazyFlags.materialise(this);
            lazyMask = 0;
        }
        return eflags | 0x2;
    }

    /** Sets every EFLAGS bit as given (callers apply privilege masks first). */
    public void setEflags(int value) {
        lazyMask = 0;
        eflags = (value & 0x003F7FD5) | 0x2;
    }

    /** Sets or clears one arithmetic flag eagerly. */
    public void setFlag(int flag, boolean value) {
        lazyMask &= ~flag;
        eflags = value ? eflags | flag : eflags & ~flag;
    }

    public boolean cf() {
        return (lazyMask & CF) != 0 ? LazyFlags.carry(this) : (eflags & CF) != 0;
    }

    public boolean zf() {
        return (lazyMask & ZF) != 0 ? (lazyRes & lazyWidth) == 0 : (eflags & ZF) != 0;
    }

    public boolean sf() {
        return (lazyMask & SF) != 0 ? (lazyRes & ((lazyWidth >>> 1) + 1)) != 0 : (eflags & SF) != 0;
    }

    public boolean of() {
        return (lazyMask & OF) != 0 ? LazyFlags.overflow(this) : (eflags & OF) != 0;
    }

    public boolean pf() {
        return (lazyMask & PF) != 0 ? (Integer.bitCount(lazyRes & 0xFF) & 1) == 0 : (eflags & PF) != 0;
    }

    public boolean af() {
        return (lazyMask & AF) != 0 ? LazyFlags.adjust(this) : (eflags & AF) != 0;
    }

    /** Evaluates condition code {@code cc} (0-15, the low nibble of Jcc/SETcc/CMOVcc). */
    public boolean condition(int cc) {
        if (lazyKind == LazyFlags.SUB && lazyMask == ARITH_FLAGS && lazyWidth == -1) {
            return compareCondition(cc);
        }
        boolean r;
        switch (cc >>> 1) {
            case 0: r = of(); break;
            case 1: r = cf(); break;
            case 2: r = zf(); break;
            case 3: r = cf() || zf(); break;
            case 4: r = sf(); break;
            case 5: r = pf(); break;
            case 6: r = sf() != of(); break;
            default: r = zf() || sf() != of(); break;
        }
        return r ^ ((cc & 1) != 0);
    }

    /** Condition {@code cc} straight from the operands of a 32-bit CMP/SUB (the common compare-and-branch). */
    private boolean compareCondition(int cc) {
        int d = lazyDst, s = lazySrc;
        boolean r;
        switch (cc >>> 1) {
            case 1: r = Integer.compareUnsigned(d, s) < 0; break;
            case 2: r = d == s; break;
            case 3: r = Integer.compareUnsigned(d, s) <= 0; break;
            case 6: r = d < s; break;
            case 7: r = d <= s; break;
            case 0: r = LazyFlags.overflow(this); break;
            case 4: r = (lazyRes & 0x80000000) != 0; break;
            default: r = (Integer.bitCount(lazyRes & 0xFF) & 1) == 0; break;
        }
        return r ^ ((cc & 1) != 0);
    }

    // ---------------------------------------------------------------- register views

    /** 8-bit register by ModRM number: AL CL DL BL AH CH DH BH. */
    public int reg8(int r) {
        return r < 4 ? regs[r] & 0xFF : (regs[r - 4] >>> 8) & 0xFF;
    }

    public void setReg8(int r, int value) {
        if (r < 4) {
            regs[r] = (regs[r] & 0xFFFFFF00) | (value & 0xFF);
        } else {
            regs[r - 4] = (regs[r - 4] & 0xFFFF00FF) | ((value & 0xFF) << 8);
        }
    }

    public void setReg16(int r, int value) {
        regs[r] = (regs[r] & 0xFFFF0000) | (value & 0xFFFF);
    }

    /**
     * Makes {@link #instructionCount} exact in the middle of a block (it is otherwise updated at
     * block ends): devices reading the icount clock from IN/OUT see the true count.
     */
    public void syncInstructionCount(Insn insn) {
        instructionCount = blockStartCount + insn.indexInBlock;
    }

    // ---------------------------------------------------------------- stack (SS:ESP, honouring SS.B)

    public void push16(int value) {
        if (stack32()) {
            int sp = regs[ESP] - 2;
            mmu.write16(SS, sp, value);
            regs[ESP] = sp;
        } else {
            int sp = (regs[ESP] - 2) & 0xFFFF;
            mmu.write16(SS, sp, value);
            regs[ESP] = (regs[ESP] & 0xFFFF0000) | sp;
        }
    }

    public void push32(int value) {
        if (stack32()) {
            int sp = regs[ESP] - 4;
            mmu.write32(SS, sp, value);
            regs[ESP] = sp;
        } else {
            int sp = (regs[ESP] - 4) & 0xFFFF;
            mmu.write32(SS, sp, value);
            regs[ESP] = (regs[ESP] & 0xFFFF0000) | sp;
        }
    }

    public int pop16() {
        if (stack32()) {
            int sp = regs[ESP];
            int value = mmu.read16(SS, sp);
            regs[ESP] = sp + 2;
            return value;
        }
        int sp = regs[ESP] & 0xFFFF;
        int value = mmu.read16(SS, sp);
        regs[ESP] = (regs[ESP] & 0xFFFF0000) | ((sp + 2) & 0xFFFF);
        return value;
    }

    public int pop32() {
        if (stack32()) {
            int sp = regs[ESP];
            int value = mmu.read32(SS, sp);
            regs[ESP] = sp + 4;
            return value;
        }
        int sp = regs[ESP] & 0xFFFF;
        int value = mmu.read32(SS, sp);
        regs[ESP] = (regs[ESP] & 0xFFFF0000) | ((sp + 4) & 0xFFFF);
        return value;
    }

    /** Writes the stack pointer: all of ESP with a 32-bit stack, only SP with a 16-bit one. */
    public void setSp(int sp) {
        if (stack32()) {
            regs[ESP] = sp;
        } else {
            regs[ESP] = (regs[ESP] & 0xFFFF0000) | (sp & 0xFFFF);
        }
    }

    // ---------------------------------------------------------------- execution

    /**
     * Set by another thread to make {@link #execute} return at the next block boundary; the setter
     * clears it again (execute() returns at once while it is set).
     */
    public volatile boolean stopRequested;

    /**
     * Runs instructions until at least {@code budget} have retired (checked at block ends, so it may
     * run up to one block further), the CPU halts (HLT with nothing to wake it), or
     * {@link #stopRequested} is seen at a block boundary. Guest exceptions are delivered to the
     * guest inside; a triple fault or a device's exit request ends it with {@link MachineHalt}.
     *
     * <p>Counting: every completed instruction counts one; a REP string instruction counts one per
     * resumption (it yields every 4096 elements so that interrupts are taken), and a faulting
     * instruction counts none. {@link #instructionCount} is exact during IN/OUT/INS/OUTS, RDTSC and
     * the TSC MSR; elsewhere inside a block (e.g. an MMIO access) it holds the count at block start.
     *
     * @return the number of instructions retired
     */
    public long execute(long budget) {
        return interpreter.execute(budget);
    }

    /** Drops every decoded block (e.g. after loading a snapshot into RAM behind the CPU's back). */
    public void flushDecodedCode() {
        codeEpoch++;
        interpreter.blocks().flush();
    }
}
