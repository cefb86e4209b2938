package dev.twinstep.core.cpu;

/**
 * Control transfers: Jcc, JMP, CALL, RET (near and far), LOOP/LOOPE/LOOPNE, JCXZ/JECXZ, INT n,
 * INT3, INTO, IRET and HLT. Near targets wrap to 16 bits with a 16-bit operand size and must lie
 * within the CS limit (#GP(0)). Far forms go through {@link Segmentation}.
 */
final class ControlOps {
    private ControlOps() {
    }

    private static void jumpTo(Cpu c, Insn i, int target) {
        if (!i.o32) {
            target &= 0xFFFF;
        }
        if (Integer.compareUnsigned(target, c.segLimit[Cpu.CS]) > 0) {
            throw c.fault(CpuException.GP, 0);
        }
        c.nextEip = target;
    }

    /** 70-7F, 0F 80-8F: relative displacement in imm, condition in sub. */
    static void jcc(Cpu c, Insn i) {
        if (c.condition(i.sub)) {
            jumpTo(c, i, c.nextEip + i.imm);
        }
    }

    /** Takes a relative branch (displacement in imm). */
    static void branch(Cpu c, Insn i) {
        jumpTo(c, i, c.nextEip + i.imm);
    }

    /** EB, E9 */
    static void jmpRel(Cpu c, Insn i) {
        jumpTo(c, i, c.nextEip + i.imm);
    }

    /** E8 */
    static void callRel(Cpu c, Insn i) {
        int ret = c.nextEip;
        int target = c.nextEip + i.imm;
        jumpTo(c, i, target);
        StackOps.pushV(c, i.o32, ret);
    }

    /** FF /4 */
    static void jmpRm(Cpu c, Insn i) {
        jumpTo(c, i, i.readRmV(c));
    }

    /** FF /2 */
    static void callRm(Cpu c, Insn i) {
        int ret = c.nextEip;
        jumpTo(c, i, i.readRmV(c));
        StackOps.pushV(c, i.o32, ret);
    }

    /** C3, C2 iw */
    static void ret(Cpu c, Insn i) {
        int sp = c.stack32() ? c.regs[Cpu.ESP] : c.regs[Cpu.ESP] & 0xFFFF;
        int target = i.o32 ? c.mmu.read32(Cpu.SS, sp) : c.mmu.read16(Cpu.SS, sp);
        jumpTo(c, i, target);
        c.setSp(sp + i.sizeV() + (i.imm & 0xFFFF));
    }

    /** EA: JMP ptr16:16/32 (imm offset, imm2 selector) */
    static void jmpFar(Cpu c, Insn i) {
        c.codeEpoch++;
        c.segmentation.farJump(i.imm2 & 0xFFFF, i.imm, i.o32);
    }

    /** 9A: CALL ptr16:16/32 */
    static void callFar(Cpu c, Insn i) {
        c.codeEpoch++;
        c.segmentation.farCall(i.imm2 & 0xFFFF, i.imm, i.o32);
    }

    /** FF /5: JMP m16:16/32 */
    static void jmpFarMem(Cpu c, Insn i) {
        c.codeEpoch++;
        int off = i.ea(c);
        int offset = i.readMemV(c, off);
        int sel = c.mmu.read16(i.seg, i.addr16 ? (off + i.sizeV()) & 0xFFFF : off + i.sizeV());
        c.segmentation.farJump(sel, offset, i.o32);
    }

    /** FF /3: CALL m16:16/32 */
    static void callFarMem(Cpu c, Insn i) {
        c.codeEpoch++;
        int off = i.ea(c);
        int offset = i.readMemV(c, off);
        int sel = c.mmu.read16(i.seg, i.addr16 ? (off + i.sizeV()) & 0xFFFF : off + i.sizeV());
        c.segmentation.farCall(sel, offset, i.o32);
    }

    /** CB, CA iw */
    static void retFar(Cpu c, Insn i) {
        c.codeEpoch++;
        c.segmentation.farReturn(i.imm & 0xFFFF, i.o32);
    }

    /** CF */
    static void iret(Cpu c, Insn i) {
        c.codeEpoch++;
        c.segmentation.interruptReturn(i.o32);
    }

    /** E0 LOOPNE (sub 0), E1 LOOPE (sub 1), E2 LOOP (sub 2); the count register follows address size. */
    static void loop(Cpu c, Insn i) {
        int count;
        if (i.addr16) {
            count = (c.regs[Cpu.ECX] - 1) & 0xFFFF;
            c.setReg16(Cpu.ECX, count);
        } else {
            count = c.regs[Cpu.ECX] - 1;
            c.regs[Cpu.ECX] = count;
        }
        boolean take = count != 0;
        if (take && i.sub == 0) {
            take = !c.zf();
        } else if (take && i.sub == 1) {
            take = c.zf();
        }
        if (take) {
            jumpTo(c, i, c.nextEip + i.imm);
        }
    }

    /** E3: JCXZ / JECXZ */
    static void jcxz(Cpu c, Insn i) {
        int count = i.addr16 ? c.regs[Cpu.ECX] & 0xFFFF : c.regs[Cpu.ECX];
        if (count == 0) {
            jumpTo(c, i, c.nextEip + i.imm);
        }
    }

    /** CD ib */
    static void intN(Cpu c, Insn i) {
        c.eip = c.instructionEip(i);
        c.codeEpoch++;
        c.interrupts.deliver(i.imm & 0xFF, Interrupts.SOFTWARE, false, 0);
    }

    /** CC */
    static void int3(Cpu c, Insn i) {
        c.eip = c.instructionEip(i);
        c.codeEpoch++;
        c.interrupts.deliver(CpuException.BP, Interrupts.SOFTWARE, false, 0);
    }

    /** CE */
    static void into(Cpu c, Insn i) {
        c.eip = c.instructionEip(i);
        c.codeEpoch++;
        if (c.of()) {
            c.interrupts.deliver(CpuException.OF, Interrupts.SOFTWARE, false, 0);
        }
    }

    /** F1: ICEBP / INT1 — a #DB trap. */
    static void int1(Cpu c, Insn i) {
        c.eip = c.instructionEip(i);
        c.codeEpoch++;
        c.interrupts.deliver(CpuException.DB, Interrupts.EXCEPTION, false, 0);
    }

    /** F4: HLT (CPL 0 only in protected mode). Execution resumes after it when an interrupt wakes the CPU. */
    static void hlt(Cpu c, Insn i) {
        if (c.protectedMode() && c.cpl != 0) {
            throw c.fault(CpuException.GP, 0);
        }
        c.halted = true;
        c.blockExit = true;
    }
}
