package dev.twinstep.core.cpu;

/**
 * IN and OUT with an immediate or DX port (INS/OUTS are in {@link StringOps}). Each access is
 * checked by {@link Segmentation#checkIoPermission} and sees an exact instruction count.
 * {@code sub} is the access size (1, 2, 4); the port is in imm for the immediate forms.
 */
final class IoOps {
    private IoOps() {
    }

    /** E4/E5 (port imm8), EC/ED (port DX, imm = -1). */
    static void in(Cpu c, Insn i) {
        int port = i.imm < 0 ? c.regs[Cpu.EDX] & 0xFFFF : i.imm & 0xFF;
        c.segmentation.checkIoPermission(port, i.sub);
        c.syncInstructionCount(i);
        StringOps.setAcc(c, i.sub, c.io.read(port, i.sub));
    }

    /** E6/E7, EE/EF */
    static void out(Cpu c, Insn i) {
        int port = i.imm < 0 ? c.regs[Cpu.EDX] & 0xFFFF : i.imm & 0xFF;
        c.segmentation.checkIoPermission(port, i.sub);
        c.syncInstructionCount(i);
        c.io.write(port, i.sub, c.regs[Cpu.EAX]);
    }
}
