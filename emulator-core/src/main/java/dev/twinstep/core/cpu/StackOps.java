package dev.twinstep.core.cpu;

/**
 * Stack instructions: PUSH/POP of registers, immediates, memory and segment registers, PUSHA/POPA,
 * PUSHF/POPF with their privilege rules, ENTER and LEAVE. The stack width follows SS.B; the operand
 * width follows the operand size. Multi-word forms write memory before touching ESP so that a fault
 * leaves the registers unchanged.
 */
final class StackOps {
    private StackOps() {
    }

    private static int sp(Cpu c) {
        return c.stack32() ? c.regs[Cpu.ESP] : c.regs[Cpu.ESP] & 0xFFFF;
    }

    private static int stackMask(Cpu c) {
        return c.stack32() ? -1 : 0xFFFF;
    }

    static void pushV(Cpu c, boolean o32, int value) {
        if (o32) {
            c.push32(value);
        } else {
            c.push16(value);
        }
    }

    static int popV(Cpu c, boolean o32) {
        return o32 ? c.pop32() : c.pop16();
    }

    /** 50-57 */
    static void pushReg(Cpu c, Insn i) {
        pushV(c, i.o32, c.regs[i.reg]);
    }

    /** 58-5F */
    static void popReg(Cpu c, Insn i) {
        int v = popV(c, i.o32);
        i.writeRegV(c, v);
    }

    /** 68, 6A */
    static void pushImm(Cpu c, Insn i) {
        pushV(c, i.o32, i.imm);
    }

    /** FF /6 */
    static void pushRm(Cpu c, Insn i) {
        pushV(c, i.o32, i.readRmV(c));
    }

    /** 8F /0: the destination address is computed after ESP is incremented. */
    static void popRm(Cpu c, Insn i) {
        int oldEsp = c.regs[Cpu.ESP];
        int v = popV(c, i.o32);
        if (!i.mem) {
            i.o32Write(c, v);
            return;
        }
        try {
            i.writeMemV(c, i.ea(c), v);
        } catch (CpuException e) {
            c.regs[Cpu.ESP] = oldEsp;
            throw e;
        }
    }

    /** 06 0E 16 1E 0F A0 0F A8: {@code sub} is the segment register. */
    static void pushSreg(Cpu c, Insn i) {
        pushV(c, i.o32, c.segSel[i.sub] & 0xFFFF);
    }

    /** 07 17 1F 0F A1 0F A9: the selector is loaded before ESP moves, so a #GP leaves ESP intact. */
    static void popSreg(Cpu c, Insn i) {
        int sp = sp(c);
        int sel = c.mmu.read16(Cpu.SS, sp);
        c.segmentation.loadSegment(i.sub, sel);
        c.setSp(sp + i.sizeV());
        if (i.sub == Cpu.SS) {
            c.interruptShadow = true;
        }
    }

    /** 60: PUSHA / PUSHAD */
    static void pusha(Cpu c, Insn i) {
        int size = i.sizeV();
        int mask = stackMask(c);
        int sp = sp(c);
        int oldSp = c.regs[Cpu.ESP];
        for (int r = 0; r < 8; r++) {
            sp = (sp - size) & mask;
            int v = r == Cpu.ESP ? oldSp : c.regs[r];
            if (i.o32) {
                c.mmu.write32(Cpu.SS, sp, v);
            } else {
                c.mmu.write16(Cpu.SS, sp, v);
            }
        }
        c.setSp(sp);
    }

    /** 61: POPA / POPAD (the saved ESP is skipped) */
    static void popa(Cpu c, Insn i) {
        int size = i.sizeV();
        int mask = stackMask(c);
        int sp = sp(c);
        int[] values = c.scratch8;
        for (int r = 7; r >= 0; r--) {
            values[r] = i.o32 ? c.mmu.read32(Cpu.SS, sp) : c.mmu.read16(Cpu.SS, sp);
            sp = (sp + size) & mask;
        }
        for (int r = 0; r < 8; r++) {
            if (r != Cpu.ESP) {
                if (i.o32) {
                    c.regs[r] = values[r];
                } else {
                    c.setReg16(r, values[r]);
                }
            }
        }
        c.setSp(sp);
    }

    /** 9C: PUSHF / PUSHFD (VM and RF read as 0 in the image). */
    static void pushf(Cpu c, Insn i) {
        int f = c.getEflags() & ~(Cpu.VM | Cpu.RF);
        pushV(c, i.o32, f);
    }

    /**
     * 9D: POPF / POPFD. CPL 0 may change everything but VM/RF; CPL &gt; 0 keeps IOPL; CPL &gt; IOPL keeps
     * IF. Real mode runs at CPL 0, so there a 386 loads IOPL and NT too (a 286 keeps them clear; the
     * 80286 vector harness leaves bits 12-15 out of its compare for that reason).
     */
    static void popf(Cpu c, Insn i) {
        int old = c.getEflags();
        int v = i.o32 ? c.pop32() : (old & 0xFFFF0000) | c.pop16();
        int changeable = 0x00247FD5 & ~(Cpu.VM | Cpu.RF);
        if (c.protectedMode()) {
            if (c.cpl > 0) {
                changeable &= ~Cpu.IOPL;
            }
            if (c.cpl > c.iopl()) {
                changeable &= ~Cpu.IF;
            }
        }
        c.setEflags((old & ~changeable) | (v & changeable));
    }

    /** C8 iw ib: ENTER size, level */
    static void enter(Cpu c, Insn i) {
        int size = i.imm & 0xFFFF;
        int level = i.imm2 & 31;
        int opSize = i.sizeV();
        int mask = stackMask(c);
        int sp = sp(c);
        sp = (sp - opSize) & mask;
        writeStack(c, i.o32, sp, c.regs[Cpu.EBP]);
        int frame = sp;
        int bp = c.stack32() ? c.regs[Cpu.EBP] : c.regs[Cpu.EBP] & 0xFFFF;
        if (level > 0) {
            for (int k = 1; k < level; k++) {
                bp = (bp - opSize) & mask;
                int v = i.o32 ? c.mmu.read32(Cpu.SS, bp) : c.mmu.read16(Cpu.SS, bp);
                sp = (sp - opSize) & mask;
                writeStack(c, i.o32, sp, v);
            }
            sp = (sp - opSize) & mask;
            writeStack(c, i.o32, sp, frame);
        }
        sp = (sp - size) & mask;
        if (i.o32) {
            c.regs[Cpu.EBP] = frame;
        } else {
            c.setReg16(Cpu.EBP, frame);
        }
        c.setSp(sp);
    }

    private static void writeStack(Cpu c, boolean o32, int sp, int value) {
        if (o32) {
            c.mmu.write32(Cpu.SS, sp, value);
        } else {
            c.mmu.write16(Cpu.SS, sp, value);
        }
    }

    /** C9: LEAVE */
    static void leave(Cpu c, Insn i) {
        int bp = c.stack32() ? c.regs[Cpu.EBP] : c.regs[Cpu.EBP] & 0xFFFF;
        int v = i.o32 ? c.mmu.read32(Cpu.SS, bp) : c.mmu.read16(Cpu.SS, bp);
        c.setSp(bp + i.sizeV());
        if (i.o32) {
            c.regs[Cpu.EBP] = v;
        } else {
            c.setReg16(Cpu.EBP, v);
        }
    }
}
