package dev.twinstep.core.cpu;

/**
 * Integer arithmetic and logic: the eight ALU operations in all operand forms, INC/DEC, NEG/NOT,
 * TEST. ALU op numbers follow the opcode bits: 0 ADD, 1 OR, 2 ADC, 3 SBB, 4 AND, 5 SUB, 6 XOR, 7 CMP.
 */
final class AluOps {
    static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;

    private AluOps() {
    }

    /** Computes {@code a op b} at {@code width} (0xFF/0xFFFF/-1), records the flags, returns the result. */
    static int alu(Cpu c, int op, int a, int b, int width) {
        int r;
        switch (op) {
            case ADD:
                r = (a + b) & width;
                LazyFlags.set(c, LazyFlags.ADD, a, b, r, width);
                return r;
            case OR:
                r = (a | b) & width;
                LazyFlags.logic(c, r, width);
                return r;
            case ADC:
                if (c.cf()) {
                    r = (a + b + 1) & width;
                    LazyFlags.set(c, LazyFlags.ADC, a, b, r, width);
                } else {
                    r = (a + b) & width;
                    LazyFlags.set(c, LazyFlags.ADD, a, b, r, width);
                }
                return r;
            case SBB:
                if (c.cf()) {
                    r = (a - b - 1) & width;
                    LazyFlags.set(c, LazyFlags.SBB, a, b, r, width);
                } else {
                    r = (a - b) & width;
                    LazyFlags.set(c, LazyFlags.SUB, a, b, r, width);
                }
                return r;
            case AND:
                r = a & b & width;
                LazyFlags.logic(c, r, width);
                return r;
            case XOR:
                r = (a ^ b) & width;
                LazyFlags.logic(c, r, width);
                return r;
            default: // SUB, CMP
                r = (a - b) & width;
                LazyFlags.set(c, LazyFlags.SUB, a, b, r, width);
                return r;
        }
    }

    // ---------------------------------------------------------------- 00-3F forms

    /** op r/m8, r8 */
    static void rm8R8(Cpu c, Insn i) {
        aluRm8(c, i, c.reg8(i.reg));
    }

    /** The r/m8 destination of the byte forms: {@code r/m8 = r/m8 op b} (CMP only sets flags). */
    private static void aluRm8(Cpu c, Insn i, int b) {
        if (i.mem) {
            int off = i.ea(c);
            int r = alu(c, i.sub, c.mmu.read8(i.seg, off), b, 0xFF);
            if (i.sub != CMP) {
                c.mmu.write8(i.seg, off, r);
            }
        } else {
            int r = alu(c, i.sub, c.reg8(i.rm), b, 0xFF);
            if (i.sub != CMP) {
                c.setReg8(i.rm, r);
            }
        }
    }

    /** op r/m16/32, r16/32 */
    static void rmVRV(Cpu c, Insn i) {
        aluRmV(c, i, c.regs[i.reg] & i.widthV());
    }

    /** The r/m16/32 destination of the word forms: {@code r/m = r/m op b} (CMP only sets flags). */
    private static void aluRmV(Cpu c, Insn i, int b) {
        int w = i.widthV();
        if (i.mem) {
            int off = i.ea(c);
            int r = alu(c, i.sub, i.readMemV(c, off), b, w);
            if (i.sub != CMP) {
                i.writeMemV(c, off, r);
            }
        } else if (i.o32) {
            int r = alu(c, i.sub, c.regs[i.rm], b, -1);
            if (i.sub != CMP) {
                c.regs[i.rm] = r;
            }
        } else {
            int r = alu(c, i.sub, c.regs[i.rm] & 0xFFFF, b, 0xFFFF);
            if (i.sub != CMP) {
                c.setReg16(i.rm, r);
            }
        }
    }

    /** op r8, r/m8 */
    static void r8Rm8(Cpu c, Insn i) {
        int r = alu(c, i.sub, c.reg8(i.reg), i.readRm8(c), 0xFF);
        if (i.sub != CMP) {
            c.setReg8(i.reg, r);
        }
    }

    /** op r16/32, r/m16/32 */
    static void rVRmV(Cpu c, Insn i) {
        int w = i.widthV();
        int r = alu(c, i.sub, c.regs[i.reg] & w, i.readRmV(c), w);
        if (i.sub != CMP) {
            i.writeRegV(c, r);
        }
    }

    /** op AL, imm8 */
    static void alImm(Cpu c, Insn i) {
        int r = alu(c, i.sub, c.regs[Cpu.EAX] & 0xFF, i.imm & 0xFF, 0xFF);
        if (i.sub != CMP) {
            c.setReg8(Cpu.EAX, r);
        }
    }

    /** op eAX, imm16/32 */
    static void accImm(Cpu c, Insn i) {
        int w = i.widthV();
        int r = alu(c, i.sub, c.regs[Cpu.EAX] & w, i.imm & w, w);
        if (i.sub != CMP) {
            if (i.o32) {
                c.regs[Cpu.EAX] = r;
            } else {
                c.setReg16(Cpu.EAX, r);
            }
        }
    }

    /** Group 1 (80/82): op r/m8, imm8 */
    static void rm8Imm(Cpu c, Insn i) {
        aluRm8(c, i, i.imm & 0xFF);
    }

    /** Group 1 (81/83): op r/m16/32, imm */
    static void rmVImm(Cpu c, Insn i) {
        aluRmV(c, i, i.imm & i.widthV());
    }

    // ---------------------------------------------------------------- INC / DEC

    /** 40-47: INC r16/32 */
    static void incReg(Cpu c, Insn i) {
        int w = i.widthV();
        int a = c.regs[i.reg] & w;
        int r = (a + 1) & w;
        LazyFlags.incDec(c, LazyFlags.ADD, a, r, w);
        i.writeRegV(c, r);
    }

    /** 48-4F: DEC r16/32 */
    static void decReg(Cpu c, Insn i) {
        int w = i.widthV();
        int a = c.regs[i.reg] & w;
        int r = (a - 1) & w;
        LazyFlags.incDec(c, LazyFlags.SUB, a, r, w);
        i.writeRegV(c, r);
    }

    /** FE /0, /1 */
    static void incDecRm8(Cpu c, Insn i) {
        boolean dec = i.sub == 1;
        if (i.mem) {
            int off = i.ea(c);
            int a = c.mmu.read8(i.seg, off);
            int r = (dec ? a - 1 : a + 1) & 0xFF;
            LazyFlags.incDec(c, dec ? LazyFlags.SUB : LazyFlags.ADD, a, r, 0xFF);
            c.mmu.write8(i.seg, off, r);
        } else {
            int a = c.reg8(i.rm);
            int r = (dec ? a - 1 : a + 1) & 0xFF;
            LazyFlags.incDec(c, dec ? LazyFlags.SUB : LazyFlags.ADD, a, r, 0xFF);
            c.setReg8(i.rm, r);
        }
    }

    /** FF /0, /1 */
    static void incDecRmV(Cpu c, Insn i) {
        boolean dec = i.sub == 1;
        int w = i.widthV();
        int off = i.mem ? i.ea(c) : 0;
        int a = i.mem ? i.readMemV(c, off) : c.regs[i.rm] & w;
        int r = (dec ? a - 1 : a + 1) & w;
        LazyFlags.incDec(c, dec ? LazyFlags.SUB : LazyFlags.ADD, a, r, w);
        if (i.mem) {
            i.writeMemV(c, off, r);
        } else {
            i.o32Write(c, r);
        }
    }

    // ---------------------------------------------------------------- TEST, NOT, NEG

    /** 84: TEST r/m8, r8 */
    static void testRm8R8(Cpu c, Insn i) {
        LazyFlags.logic(c, i.readRm8(c) & c.reg8(i.reg), 0xFF);
    }

    /** 85: TEST r/m16/32, r16/32 */
    static void testRmVRV(Cpu c, Insn i) {
        int w = i.widthV();
        LazyFlags.logic(c, i.readRmV(c) & c.regs[i.reg] & w, w);
    }

    /** A8 / F6 /0: TEST r/m8, imm8 (A8 decodes as rm = AL) */
    static void testRm8Imm(Cpu c, Insn i) {
        LazyFlags.logic(c, i.readRm8(c) & i.imm & 0xFF, 0xFF);
    }

    /** A9 / F7 /0 */
    static void testRmVImm(Cpu c, Insn i) {
        int w = i.widthV();
        LazyFlags.logic(c, i.readRmV(c) & i.imm & w, w);
    }

    /** F6 /2 */
    static void notRm8(Cpu c, Insn i) {
        if (i.mem) {
            int off = i.ea(c);
            c.mmu.write8(i.seg, off, ~c.mmu.read8(i.seg, off));
        } else {
            c.setReg8(i.rm, ~c.reg8(i.rm));
        }
    }

    /** F7 /2 */
    static void notRmV(Cpu c, Insn i) {
        if (i.mem) {
            int off = i.ea(c);
            i.writeMemV(c, off, ~i.readMemV(c, off));
        } else {
            i.o32Write(c, ~c.regs[i.rm]);
        }
    }

    /** F6 /3 */
    static void negRm8(Cpu c, Insn i) {
        int off = i.mem ? i.ea(c) : 0;
        int a = i.mem ? c.mmu.read8(i.seg, off) : c.reg8(i.rm);
        int r = -a & 0xFF;
        LazyFlags.set(c, LazyFlags.SUB, 0, a, r, 0xFF);
        if (i.mem) {
            c.mmu.write8(i.seg, off, r);
        } else {
            c.setReg8(i.rm, r);
        }
    }

    /** F7 /3 */
    static void negRmV(Cpu c, Insn i) {
        int w = i.widthV();
        int off = i.mem ? i.ea(c) : 0;
        int a = i.mem ? i.readMemV(c, off) : c.regs[i.rm] & w;
        int r = -a & w;
        LazyFlags.set(c, LazyFlags.SUB, 0, a, r, w);
        if (i.mem) {
            i.writeMemV(c, off, r);
        } else {
            i.o32Write(c, r);
        }
    }
}
