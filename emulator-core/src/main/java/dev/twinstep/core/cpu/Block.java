package dev.twinstep.core.cpu;

/**
 * A run of decoded instructions that starts at one physical address and is executed straight
 * through: it ends at a control transfer, a state change that affects decoding, the end of the
 * physical page, or a length cap. Only the first instruction may straddle into a second page.
 */
final class Block {
    final Insn[] insns;
    /** Physical address of the first byte. */
    final int phys;
    /** Decoded for a 32-bit code segment (CS.D). */
    final boolean code32;
    /** Offset just past the last instruction, relative to the block's first EIP. */
    final int byteLength;
    /** Physical page of the start, and its code generation when decoded. */
    final int page;
    final int generation;
    /** Second physical page touched by a straddling first instruction, or -1; and its generation. */
    final int page2;
    final int generation2;

    Block(Insn[] insns, int phys, boolean code32, int byteLength, int page, int generation, int page2, int generation2) {
        this.insns = insns;
        this.phys = phys;
        this.code32 = code32;
        this.byteLength = byteLength;
        this.page = page;
        this.generation = generation;
        this.page2 = page2;
        this.generation2 = generation2;
    }
}
