package dev.twinstep.core.cpu;

/** The semantics of one decoded instruction form. Implementations are stateless singletons. */
@FunctionalInterface
public interface Exec {
    /**
     * Executes {@code insn}. On entry {@link Cpu#eip} is the instruction's first byte and
     * {@link Cpu#nextEip} the byte after it; control transfers overwrite nextEip. Guest exceptions
     * are thrown as {@link CpuException} before any architectural state is committed.
     */
    void run(Cpu cpu, Insn insn);
}
