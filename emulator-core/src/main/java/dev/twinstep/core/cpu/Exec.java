package dev.twinstep.core.cpu;

/**
 * The semantics of one decoded instruction form. Instances are stateless singletons (see
 * {@link ArithmeticHandlers}, {@link TransferHandlers}, {@link SystemHandlers}); this is an abstract
 * class rather than an interface so that the hot dispatch in the interpreter loop is a virtual
 * call, not an interface call.
 */
public abstract class Exec {
    /**
     * Executes {@code insn}. On entry {@link Cpu#nextEip} is the byte after the instruction
     * (its own EIP is {@link Cpu#instructionEip(Insn)}; {@link Cpu#eip} is not kept current inside a
     * block); control transfers overwrite nextEip. Guest exceptions
     * are thrown as {@link CpuException} before any architectural state is committed.
     */
    public abstract void run(Cpu cpu, Insn insn);
}
