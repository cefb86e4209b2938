package dev.twinstep.core.cpu;

/**
 * Delivery of exceptions, software interrupts and external interrupts: the real-mode IVT, and in
 * protected mode the IDT with interrupt, trap and task gates, privilege checks, the stack switch
 * through the TSS, error codes, double fault and triple fault (shutdown).
 *
 * <p>SKELETON: real mode only. The protected-mode owner fills in the rest and keeps the signatures.
 */
public final class Interrupts {
    /** What caused the interrupt; decides privilege checks (INT n vs. exception) and EXT in error codes. */
    public static final int EXCEPTION = 0, SOFTWARE = 1, EXTERNAL = 2;

    private final Cpu cpu;

    Interrupts(Cpu cpu) {
        this.cpu = cpu;
    }

    /**
     * Delivers {@code vector}. The return address pushed is {@link Cpu#nextEip}: the caller sets it to
     * the faulting instruction (faults) or the next one (traps, INT n, external interrupts).
     * On return, CS:nextEip is the handler.
     */
    public void deliver(int vector, int kind, boolean hasErrorCode, int errorCode) {
        int ivt = vector * 4;
        int offset = cpu.mmu.readSystem16(cpu.idtrBase + ivt);
        int selector = cpu.mmu.readSystem16(cpu.idtrBase + ivt + 2);
        cpu.push16(cpu.getEflags());
        cpu.push16(cpu.segSel[Cpu.CS]);
        cpu.push16(cpu.nextEip);
        cpu.setEflags(cpu.getEflags() & ~(Cpu.IF | Cpu.TF | Cpu.AC | Cpu.RF));
        cpu.segmentation.loadRealMode(Cpu.CS, selector);
        cpu.nextEip = offset;
    }
}
