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
    /** Offset in CS of the instruction being executed (its first prefix byte). */
    public int eip;
    /** Where execution continues when the current instruction completes; control transfers set it. */
    public int nextEip;

    /** EFLAGS; see {@link #getEflags()} — the arithmetic flags may be held lazily. */
    public int eflags = 0x2;

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

    public Cpu(GuestMemory memory, IoBus io) {
        this.memory = memory;
        this.io = io;
        this.mmu = new Mmu(this);
        this.segmentation = new Segmentation(this);
        this.interrupts = new Interrupts(this);
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
        mmu.flushTlb();
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
        return eflags | 0x2;
    }

    /** Sets every EFLAGS bit as given (callers apply privilege masks first). */
    public void setEflags(int value) {
        eflags = (value & 0x003F7FD5) | 0x2;
    }

    // ---------------------------------------------------------------- stack (SS:ESP, honouring SS.B)

    public void push16(int value) {
        int sp = stack32() ? regs[ESP] - 2 : (regs[ESP] - 2) & 0xFFFF;
        mmu.write16(SS, sp, value);
        setSp(sp);
    }

    public void push32(int value) {
        int sp = stack32() ? regs[ESP] - 4 : (regs[ESP] - 4) & 0xFFFF;
        mmu.write32(SS, sp, value);
        setSp(sp);
    }

    public int pop16() {
        int sp = stack32() ? regs[ESP] : regs[ESP] & 0xFFFF;
        int value = mmu.read16(SS, sp);
        setSp(sp + 2);
        return value;
    }

    public int pop32() {
        int sp = stack32() ? regs[ESP] : regs[ESP] & 0xFFFF;
        int value = mmu.read32(SS, sp);
        setSp(sp + 4);
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

    /** Set by another thread to make {@link #execute} return at the next block boundary. */
    public volatile boolean stopRequested;

    /**
     * Runs instructions until about {@code budget} have retired, the CPU halts (HLT with nothing to
     * wake it), or {@link #stopRequested} is seen at a block boundary. Guest exceptions are delivered
     * to the guest inside; a triple fault or a device's exit request ends it with {@link MachineHalt}.
     *
     * @return the number of instructions retired
     */
    public long execute(long budget) {
        throw new UnsupportedOperationException("interpreter not written yet");
    }
}
