package dev.twinstep.core.cpu;

/**
 * The opcode map: for every one-byte opcode (0x00-0xFF) and two-byte opcode (0x100 | second byte)
 * the handler, the operand form the decoder must parse, and for group opcodes one handler per
 * ModRM reg value. A null handler is an invalid opcode (#UD).
 */
final class OpcodeTable {
    // Operand form bits
    static final int MODRM = 1, IMM8 = 1 << 1, IMM8S = 1 << 2, IMMV = 1 << 3, IMM16 = 1 << 4, PTR = 1 << 5,
            MOFFS = 1 << 6, END = 1 << 7, LOCKABLE = 1 << 8, IMM8_2 = 1 << 9, NEEDS_MEM = 1 << 10,
            REG_ONLY = 1 << 11;

    static final Exec[] EXEC = new Exec[512];
    static final int[] FORM = new int[512];
    static final Exec[][] GROUP = new Exec[512][];
    static final int[][] GROUP_FORM = new int[512][];

    private OpcodeTable() {
    }

    private static void op(int opcode, int form, Exec exec) {
        EXEC[opcode] = exec;
        FORM[opcode] = form;
    }

    private static void group(int opcode, int form) {
        FORM[opcode] = form | MODRM;
        GROUP[opcode] = new Exec[8];
        GROUP_FORM[opcode] = new int[8];
    }

    private static void member(int opcode, int reg, int form, Exec exec) {
        GROUP[opcode][reg] = exec;
        GROUP_FORM[opcode][reg] = form;
    }

    static {
        oneByte();
        groups();
        twoByte();
    }

    private static void oneByte() {
        for (int alu = 0; alu < 8; alu++) {
            int base = alu << 3;
            int lock = alu == AluOps.CMP ? 0 : LOCKABLE;
            op(base, MODRM | lock, ArithmeticHandlers.aluRm8R8);
            op(base + 1, MODRM | lock, ArithmeticHandlers.aluRmVRV);
            op(base + 2, MODRM, ArithmeticHandlers.aluR8Rm8);
            op(base + 3, MODRM, ArithmeticHandlers.aluRVRmV);
            op(base + 4, IMM8, ArithmeticHandlers.aluAlImm);
            op(base + 5, IMMV, ArithmeticHandlers.aluAccImm);
        }
        for (int seg : new int[] {0x06, 0x0E, 0x16, 0x1E}) {
            op(seg, 0, TransferHandlers.stackPushSreg);
        }
        for (int seg : new int[] {0x07, 0x17, 0x1F}) {
            op(seg, 0, TransferHandlers.stackPopSreg);
        }
        op(0x27, 0, ArithmeticHandlers.bcdDaa);
        op(0x2F, 0, ArithmeticHandlers.bcdDas);
        op(0x37, 0, ArithmeticHandlers.bcdAaa);
        op(0x3F, 0, ArithmeticHandlers.bcdAas);
        for (int r = 0; r < 8; r++) {
            op(0x40 + r, 0, ArithmeticHandlers.aluIncReg);
            op(0x48 + r, 0, ArithmeticHandlers.aluDecReg);
            op(0x50 + r, 0, TransferHandlers.stackPushReg);
            op(0x58 + r, 0, TransferHandlers.stackPopReg);
            op(0x90 + r, 0, r == 0 ? TransferHandlers.movNop : TransferHandlers.movXchgV);
            op(0xB0 + r, IMM8, TransferHandlers.movR8Imm);
            op(0xB8 + r, IMMV, TransferHandlers.movRVImm);
            op(0xD8 + r, MODRM | END, SystemHandlers.systemFpuEscape);
        }
        op(0x60, 0, TransferHandlers.stackPusha);
        op(0x61, 0, TransferHandlers.stackPopa);
        op(0x62, MODRM | NEEDS_MEM, SystemHandlers.systemBound);
        op(0x63, MODRM, SystemHandlers.systemArpl);
        op(0x68, IMMV, TransferHandlers.stackPushImm);
        op(0x69, MODRM | IMMV, ArithmeticHandlers.mulDivImulReg);
        op(0x6A, IMM8S, TransferHandlers.stackPushImm);
        op(0x6B, MODRM | IMM8S, ArithmeticHandlers.mulDivImulReg);
        op(0x6C, 0, TransferHandlers.stringIns);
        op(0x6D, 0, TransferHandlers.stringIns);
        op(0x6E, END, TransferHandlers.stringOuts);
        op(0x6F, END, TransferHandlers.stringOuts);
        for (int cc = 0; cc < 16; cc++) {
            op(0x70 + cc, IMM8S, TransferHandlers.controlJcc);
        }
        op(0x84, MODRM, ArithmeticHandlers.aluTestRm8R8);
        op(0x85, MODRM, ArithmeticHandlers.aluTestRmVRV);
        op(0x86, MODRM | LOCKABLE, TransferHandlers.movXchg8);
        op(0x87, MODRM | LOCKABLE, TransferHandlers.movXchgV);
        op(0x88, MODRM, TransferHandlers.movRm8R8);
        op(0x89, MODRM, TransferHandlers.movRmVRV);
        op(0x8A, MODRM, TransferHandlers.movR8Rm8);
        op(0x8B, MODRM, TransferHandlers.movRVRmV);
        op(0x8C, MODRM, TransferHandlers.movRmSreg);
        op(0x8D, MODRM | NEEDS_MEM, TransferHandlers.movLea);
        op(0x8E, MODRM, TransferHandlers.movSregRm);
        op(0x98, 0, TransferHandlers.movCbw);
        op(0x99, 0, TransferHandlers.movCwd);
        op(0x9A, PTR | END, TransferHandlers.controlCallFar);
        op(0x9B, 0, SystemHandlers.systemFwait);
        op(0x9C, 0, TransferHandlers.stackPushf);
        op(0x9D, END, TransferHandlers.stackPopf);
        op(0x9E, 0, TransferHandlers.movSahf);
        op(0x9F, 0, TransferHandlers.movLahf);
        op(0xA0, MOFFS, TransferHandlers.movAlMoffs);
        op(0xA1, MOFFS, TransferHandlers.movAccMoffs);
        op(0xA2, MOFFS, TransferHandlers.movMoffsAl);
        op(0xA3, MOFFS, TransferHandlers.movMoffsAcc);
        op(0xA4, 0, TransferHandlers.stringMovs);
        op(0xA5, 0, TransferHandlers.stringMovs);
        op(0xA6, 0, TransferHandlers.stringCmps);
        op(0xA7, 0, TransferHandlers.stringCmps);
        op(0xA8, IMM8, ArithmeticHandlers.aluTestRm8Imm);
        op(0xA9, IMMV, ArithmeticHandlers.aluTestRmVImm);
        op(0xAA, 0, TransferHandlers.stringStos);
        op(0xAB, 0, TransferHandlers.stringStos);
        op(0xAC, 0, TransferHandlers.stringLods);
        op(0xAD, 0, TransferHandlers.stringLods);
        op(0xAE, 0, TransferHandlers.stringScas);
        op(0xAF, 0, TransferHandlers.stringScas);
        op(0xC2, IMM16 | END, TransferHandlers.controlRet);
        op(0xC3, END, TransferHandlers.controlRet);
        op(0xC4, MODRM | NEEDS_MEM, TransferHandlers.movLoadFarPointer);
        op(0xC5, MODRM | NEEDS_MEM, TransferHandlers.movLoadFarPointer);
        op(0xC8, IMM16 | IMM8_2, TransferHandlers.stackEnter);
        op(0xC9, 0, TransferHandlers.stackLeave);
        op(0xCA, IMM16 | END, TransferHandlers.controlRetFar);
        op(0xCB, END, TransferHandlers.controlRetFar);
        op(0xCC, END, TransferHandlers.controlInt3);
        op(0xCD, IMM8 | END, TransferHandlers.controlIntN);
        op(0xCE, END, TransferHandlers.controlInto);
        op(0xCF, END, TransferHandlers.controlIret);
        op(0xD4, IMM8, ArithmeticHandlers.bcdAam);
        op(0xD5, IMM8, ArithmeticHandlers.bcdAad);
        op(0xD6, 0, TransferHandlers.movSalc);
        op(0xD7, 0, TransferHandlers.movXlat);
        op(0xE0, IMM8S | END, TransferHandlers.controlLoop);
        op(0xE1, IMM8S | END, TransferHandlers.controlLoop);
        op(0xE2, IMM8S | END, TransferHandlers.controlLoop);
        op(0xE3, IMM8S | END, TransferHandlers.controlJcxz);
        op(0xE4, IMM8, TransferHandlers.ioIn);
        op(0xE5, IMM8, TransferHandlers.ioIn);
        op(0xE6, IMM8 | END, TransferHandlers.ioOut);
        op(0xE7, IMM8 | END, TransferHandlers.ioOut);
        op(0xE8, IMMV | END, TransferHandlers.controlCallRel);
        op(0xE9, IMMV | END, TransferHandlers.controlJmpRel);
        op(0xEA, PTR | END, TransferHandlers.controlJmpFar);
        op(0xEB, IMM8S | END, TransferHandlers.controlJmpRel);
        op(0xEC, 0, TransferHandlers.ioIn);
        op(0xED, 0, TransferHandlers.ioIn);
        op(0xEE, END, TransferHandlers.ioOut);
        op(0xEF, END, TransferHandlers.ioOut);
        op(0xF1, END, TransferHandlers.controlInt1);
        op(0xF4, END, TransferHandlers.controlHlt);
        op(0xF5, 0, SystemHandlers.systemCmc);
        op(0xF8, 0, SystemHandlers.systemClc);
        op(0xF9, 0, SystemHandlers.systemStc);
        op(0xFA, 0, SystemHandlers.systemCli);
        op(0xFB, 0, SystemHandlers.systemSti);
        op(0xFC, 0, SystemHandlers.systemCld);
        op(0xFD, 0, SystemHandlers.systemStd);
    }

    private static void groups() {
        group(0x80, IMM8);
        group(0x81, IMMV);
        group(0x82, IMM8);
        group(0x83, IMM8S);
        for (int r = 0; r < 8; r++) {
            int lock = r == AluOps.CMP ? 0 : LOCKABLE;
            member(0x80, r, lock, ArithmeticHandlers.aluRm8Imm);
            member(0x81, r, lock, ArithmeticHandlers.aluRmVImm);
            member(0x82, r, lock, ArithmeticHandlers.aluRm8Imm);
            member(0x83, r, lock, ArithmeticHandlers.aluRmVImm);
        }
        group(0xC0, IMM8);
        group(0xC1, IMM8);
        group(0xD0, 0);
        group(0xD1, 0);
        group(0xD2, 0);
        group(0xD3, 0);
        for (int r = 0; r < 8; r++) {
            member(0xC0, r, 0, ArithmeticHandlers.shiftRm8);
            member(0xC1, r, 0, ArithmeticHandlers.shiftRmV);
            member(0xD0, r, 0, ArithmeticHandlers.shiftRm8);
            member(0xD1, r, 0, ArithmeticHandlers.shiftRmV);
            member(0xD2, r, 0, ArithmeticHandlers.shiftRm8);
            member(0xD3, r, 0, ArithmeticHandlers.shiftRmV);
        }
        group(0x8F, 0);
        member(0x8F, 0, 0, TransferHandlers.stackPopRm);
        group(0xC6, 0);
        member(0xC6, 0, IMM8, TransferHandlers.movRm8Imm);
        group(0xC7, 0);
        member(0xC7, 0, IMMV, TransferHandlers.movRmVImm);

        group(0xF6, 0);
        member(0xF6, 0, IMM8, ArithmeticHandlers.aluTestRm8Imm);
        member(0xF6, 1, IMM8, ArithmeticHandlers.aluTestRm8Imm);
        member(0xF6, 2, LOCKABLE, ArithmeticHandlers.aluNotRm8);
        member(0xF6, 3, LOCKABLE, ArithmeticHandlers.aluNegRm8);
        member(0xF6, 4, 0, ArithmeticHandlers.mulDivMul8);
        member(0xF6, 5, 0, ArithmeticHandlers.mulDivImul8);
        member(0xF6, 6, 0, ArithmeticHandlers.mulDivDiv8);
        member(0xF6, 7, 0, ArithmeticHandlers.mulDivIdiv8);
        group(0xF7, 0);
        member(0xF7, 0, IMMV, ArithmeticHandlers.aluTestRmVImm);
        member(0xF7, 1, IMMV, ArithmeticHandlers.aluTestRmVImm);
        member(0xF7, 2, LOCKABLE, ArithmeticHandlers.aluNotRmV);
        member(0xF7, 3, LOCKABLE, ArithmeticHandlers.aluNegRmV);
        member(0xF7, 4, 0, ArithmeticHandlers.mulDivMulV);
        member(0xF7, 5, 0, ArithmeticHandlers.mulDivImulV);
        member(0xF7, 6, 0, ArithmeticHandlers.mulDivDivV);
        member(0xF7, 7, 0, ArithmeticHandlers.mulDivIdivV);

        group(0xFE, 0);
        member(0xFE, 0, LOCKABLE, ArithmeticHandlers.aluIncDecRm8);
        member(0xFE, 1, LOCKABLE, ArithmeticHandlers.aluIncDecRm8);
        group(0xFF, 0);
        member(0xFF, 0, LOCKABLE, ArithmeticHandlers.aluIncDecRmV);
        member(0xFF, 1, LOCKABLE, ArithmeticHandlers.aluIncDecRmV);
        member(0xFF, 2, END, TransferHandlers.controlCallRm);
        member(0xFF, 3, END | NEEDS_MEM, TransferHandlers.controlCallFarMem);
        member(0xFF, 4, END, TransferHandlers.controlJmpRm);
        member(0xFF, 5, END | NEEDS_MEM, TransferHandlers.controlJmpFarMem);
        member(0xFF, 6, 0, TransferHandlers.stackPushRm);
    }

    private static void twoByte() {
        group(0x100, 0);
        member(0x100, 0, 0, SystemHandlers.sysRegSldt);
        member(0x100, 1, 0, SystemHandlers.sysRegStr);
        member(0x100, 2, 0, SystemHandlers.sysRegLldt);
        member(0x100, 3, END, SystemHandlers.sysRegLtr);
        member(0x100, 4, 0, SystemHandlers.sysRegVerify);
        member(0x100, 5, 0, SystemHandlers.sysRegVerify);
        group(0x101, 0);
        member(0x101, 0, NEEDS_MEM, SystemHandlers.sysRegStoreTable);
        member(0x101, 1, NEEDS_MEM, SystemHandlers.sysRegStoreTable);
        member(0x101, 2, NEEDS_MEM, SystemHandlers.sysRegLoadTable);
        member(0x101, 3, NEEDS_MEM, SystemHandlers.sysRegLoadTable);
        member(0x101, 4, 0, SystemHandlers.sysRegSmsw);
        member(0x101, 6, END, SystemHandlers.sysRegLmsw);
        member(0x101, 7, NEEDS_MEM | END, SystemHandlers.systemInvlpg);
        op(0x102, MODRM, SystemHandlers.sysRegLar);
        op(0x103, MODRM, SystemHandlers.sysRegLsl);
        op(0x106, 0, SystemHandlers.sysRegClts);
        op(0x108, 0, SystemHandlers.systemInvd);
        op(0x109, 0, SystemHandlers.systemInvd);
        op(0x10B, END, SystemHandlers.systemUd2);
        for (int n = 0x118; n <= 0x11F; n++) {
            op(n, MODRM, TransferHandlers.movNop);
        }
        op(0x120, MODRM | REG_ONLY, SystemHandlers.sysRegReadCr);
        op(0x121, MODRM | REG_ONLY, SystemHandlers.sysRegReadDr);
        op(0x122, MODRM | REG_ONLY | END, SystemHandlers.sysRegWriteCr);
        op(0x123, MODRM | REG_ONLY, SystemHandlers.sysRegWriteDr);
        op(0x130, END, SystemHandlers.systemWrmsr);
        op(0x131, 0, SystemHandlers.systemRdtsc);
        op(0x132, 0, SystemHandlers.systemRdmsr);
        for (int cc = 0; cc < 16; cc++) {
            op(0x140 + cc, MODRM, TransferHandlers.movCmov);
            op(0x180 + cc, IMMV, TransferHandlers.controlJcc);
            op(0x190 + cc, MODRM, TransferHandlers.movSetcc);
        }
        op(0x1A0, 0, TransferHandlers.stackPushSreg);
        op(0x1A1, 0, TransferHandlers.stackPopSreg);
        op(0x1A2, 0, SystemHandlers.systemCpuid);
        op(0x1A3, MODRM, ArithmeticHandlers.bitBitReg);
        op(0x1A4, MODRM | IMM8, ArithmeticHandlers.shiftDoubleShift);
        op(0x1A5, MODRM, ArithmeticHandlers.shiftDoubleShift);
        op(0x1A8, 0, TransferHandlers.stackPushSreg);
        op(0x1A9, 0, TransferHandlers.stackPopSreg);
        op(0x1AB, MODRM | LOCKABLE, ArithmeticHandlers.bitBitReg);
        op(0x1AC, MODRM | IMM8, ArithmeticHandlers.shiftDoubleShift);
        op(0x1AD, MODRM, ArithmeticHandlers.shiftDoubleShift);
        op(0x1AF, MODRM, ArithmeticHandlers.mulDivImulReg);
        op(0x1B0, MODRM | LOCKABLE, ArithmeticHandlers.atomicCmpxchg8);
        op(0x1B1, MODRM | LOCKABLE, ArithmeticHandlers.atomicCmpxchgV);
        op(0x1B2, MODRM | NEEDS_MEM, TransferHandlers.movLoadFarPointer);
        op(0x1B3, MODRM | LOCKABLE, ArithmeticHandlers.bitBitReg);
        op(0x1B4, MODRM | NEEDS_MEM, TransferHandlers.movLoadFarPointer);
        op(0x1B5, MODRM | NEEDS_MEM, TransferHandlers.movLoadFarPointer);
        op(0x1B6, MODRM, TransferHandlers.movMovzx8);
        op(0x1B7, MODRM, TransferHandlers.movMovzx16);
        group(0x1BA, IMM8);
        member(0x1BA, 4, 0, ArithmeticHandlers.bitBitImm);
        member(0x1BA, 5, LOCKABLE, ArithmeticHandlers.bitBitImm);
        member(0x1BA, 6, LOCKABLE, ArithmeticHandlers.bitBitImm);
        member(0x1BA, 7, LOCKABLE, ArithmeticHandlers.bitBitImm);
        op(0x1BB, MODRM | LOCKABLE, ArithmeticHandlers.bitBitReg);
        op(0x1BC, MODRM, ArithmeticHandlers.bitBsf);
        op(0x1BD, MODRM, ArithmeticHandlers.bitBsr);
        op(0x1BE, MODRM, TransferHandlers.movMovsx8);
        op(0x1BF, MODRM, TransferHandlers.movMovsx16);
        op(0x1C0, MODRM | LOCKABLE, ArithmeticHandlers.atomicXadd8);
        op(0x1C1, MODRM | LOCKABLE, ArithmeticHandlers.atomicXaddV);
        group(0x1C7, 0);
        member(0x1C7, 1, NEEDS_MEM | LOCKABLE, ArithmeticHandlers.atomicCmpxchg8b);
        for (int r = 0; r < 8; r++) {
            op(0x1C8 + r, 0, TransferHandlers.movBswap);
        }
    }

    /** Fills the fields a handler takes from the opcode itself (ALU op, register, size, condition...). */
    static void preset(Insn i, int op) {
        if (op < 0x40 && (op & 7) < 6) {
            i.sub = op >>> 3;
            return;
        }
        switch (op) {
            case 0x06: case 0x07: case 0x0E: case 0x16: case 0x17: case 0x1E: case 0x1F:
                i.sub = op >>> 3;
                return;
            case 0x1A0: case 0x1A1: i.sub = Cpu.FS; return;
            case 0x1A8: case 0x1A9: i.sub = Cpu.GS; return;
            case 0xC4: i.sub = Cpu.ES; return;
            case 0xC5: i.sub = Cpu.DS; return;
            case 0x1B2: i.sub = Cpu.SS; return;
            case 0x1B4: i.sub = Cpu.FS; return;
            case 0x1B5: i.sub = Cpu.GS; return;
            case 0x1A3: i.sub = BitOps.BT; return;
            case 0x1AB: i.sub = BitOps.BTS; return;
            case 0x1B3: i.sub = BitOps.BTR; return;
            case 0x1BB: i.sub = BitOps.BTC; return;
            case 0x1A4: i.sub = 0; return;
            case 0x1A5: i.sub = 0; i.imm2 = 1; return;
            case 0x1AC: i.sub = 1; return;
            case 0x1AD: i.sub = 1; i.imm2 = 1; return;
            case 0xD0: case 0xD1: i.imm = 1; return;
            case 0xD2: case 0xD3: i.imm2 = 1; return;
            case 0xA8: case 0xA9: i.rm = Cpu.EAX; i.mem = false; return;
            case 0xE0: case 0xE1: case 0xE2: i.sub = op & 3; return;
            case 0xE4: case 0xE6: i.sub = 1; return;
            case 0xE5: case 0xE7: i.sub = i.o32 ? 4 : 2; return;
            case 0xEC: case 0xEE: i.sub = 1; i.imm = -1; return;
            case 0xED: case 0xEF: i.sub = i.o32 ? 4 : 2; i.imm = -1; return;
            default: break;
        }
        if ((op >= 0x40 && op < 0x60) || (op >= 0x90 && op < 0x98) || (op >= 0xB0 && op < 0xC0)
                || (op >= 0x1C8 && op < 0x1D0)) {
            i.reg = op & 7;
            i.rm = Cpu.EAX;
        } else if ((op >= 0x70 && op < 0x80) || (op >= 0x140 && op < 0x150) || (op >= 0x180 && op < 0x1A0)) {
            i.sub = op & 0xF;
        } else if ((op >= 0xA4 && op < 0xB0) || (op >= 0x6C && op < 0x70)) {
            i.sub = (op & 1) == 0 ? 1 : i.o32 ? 4 : 2;
        }
    }
}
