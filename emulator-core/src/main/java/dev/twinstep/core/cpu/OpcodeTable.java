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
            op(base, MODRM | lock, AluOps::rm8R8);
            op(base + 1, MODRM | lock, AluOps::rmVRV);
            op(base + 2, MODRM, AluOps::r8Rm8);
            op(base + 3, MODRM, AluOps::rVRmV);
            op(base + 4, IMM8, AluOps::alImm);
            op(base + 5, IMMV, AluOps::accImm);
        }
        for (int seg : new int[] {0x06, 0x0E, 0x16, 0x1E}) {
            op(seg, 0, StackOps::pushSreg);
        }
        for (int seg : new int[] {0x07, 0x17, 0x1F}) {
            op(seg, 0, StackOps::popSreg);
        }
        op(0x27, 0, BcdOps::daa);
        op(0x2F, 0, BcdOps::das);
        op(0x37, 0, BcdOps::aaa);
        op(0x3F, 0, BcdOps::aas);
        for (int r = 0; r < 8; r++) {
            op(0x40 + r, 0, AluOps::incReg);
            op(0x48 + r, 0, AluOps::decReg);
            op(0x50 + r, 0, StackOps::pushReg);
            op(0x58 + r, 0, StackOps::popReg);
            op(0x90 + r, 0, r == 0 ? MovOps::nop : MovOps::xchgV);
            op(0xB0 + r, IMM8, MovOps::r8Imm);
            op(0xB8 + r, IMMV, MovOps::rVImm);
            op(0xD8 + r, MODRM | END, SystemOps::fpuEscape);
        }
        op(0x60, 0, StackOps::pusha);
        op(0x61, 0, StackOps::popa);
        op(0x62, MODRM | NEEDS_MEM, SystemOps::bound);
        op(0x63, MODRM, SystemOps::arpl);
        op(0x68, IMMV, StackOps::pushImm);
        op(0x69, MODRM | IMMV, MulDivOps::imulReg);
        op(0x6A, IMM8S, StackOps::pushImm);
        op(0x6B, MODRM | IMM8S, MulDivOps::imulReg);
        op(0x6C, 0, StringOps::ins);
        op(0x6D, 0, StringOps::ins);
        op(0x6E, END, StringOps::outs);
        op(0x6F, END, StringOps::outs);
        for (int cc = 0; cc < 16; cc++) {
            op(0x70 + cc, IMM8S, ControlOps::jcc);
        }
        op(0x84, MODRM, AluOps::testRm8R8);
        op(0x85, MODRM, AluOps::testRmVRV);
        op(0x86, MODRM | LOCKABLE, MovOps::xchg8);
        op(0x87, MODRM | LOCKABLE, MovOps::xchgV);
        op(0x88, MODRM, MovOps::rm8R8);
        op(0x89, MODRM, MovOps::rmVRV);
        op(0x8A, MODRM, MovOps::r8Rm8);
        op(0x8B, MODRM, MovOps::rVRmV);
        op(0x8C, MODRM, MovOps::rmSreg);
        op(0x8D, MODRM | NEEDS_MEM, MovOps::lea);
        op(0x8E, MODRM, MovOps::sregRm);
        op(0x98, 0, MovOps::cbw);
        op(0x99, 0, MovOps::cwd);
        op(0x9A, PTR | END, ControlOps::callFar);
        op(0x9B, 0, SystemOps::fwait);
        op(0x9C, 0, StackOps::pushf);
        op(0x9D, END, StackOps::popf);
        op(0x9E, 0, MovOps::sahf);
        op(0x9F, 0, MovOps::lahf);
        op(0xA0, MOFFS, MovOps::alMoffs);
        op(0xA1, MOFFS, MovOps::accMoffs);
        op(0xA2, MOFFS, MovOps::moffsAl);
        op(0xA3, MOFFS, MovOps::moffsAcc);
        op(0xA4, 0, StringOps::movs);
        op(0xA5, 0, StringOps::movs);
        op(0xA6, 0, StringOps::cmps);
        op(0xA7, 0, StringOps::cmps);
        op(0xA8, IMM8, AluOps::testRm8Imm);
        op(0xA9, IMMV, AluOps::testRmVImm);
        op(0xAA, 0, StringOps::stos);
        op(0xAB, 0, StringOps::stos);
        op(0xAC, 0, StringOps::lods);
        op(0xAD, 0, StringOps::lods);
        op(0xAE, 0, StringOps::scas);
        op(0xAF, 0, StringOps::scas);
        op(0xC2, IMM16 | END, ControlOps::ret);
        op(0xC3, END, ControlOps::ret);
        op(0xC4, MODRM | NEEDS_MEM, MovOps::loadFarPointer);
        op(0xC5, MODRM | NEEDS_MEM, MovOps::loadFarPointer);
        op(0xC8, IMM16 | IMM8_2, StackOps::enter);
        op(0xC9, 0, StackOps::leave);
        op(0xCA, IMM16 | END, ControlOps::retFar);
        op(0xCB, END, ControlOps::retFar);
        op(0xCC, END, ControlOps::int3);
        op(0xCD, IMM8 | END, ControlOps::intN);
        op(0xCE, END, ControlOps::into);
        op(0xCF, END, ControlOps::iret);
        op(0xD4, IMM8, BcdOps::aam);
        op(0xD5, IMM8, BcdOps::aad);
        op(0xD6, 0, MovOps::salc);
        op(0xD7, 0, MovOps::xlat);
        op(0xE0, IMM8S | END, ControlOps::loop);
        op(0xE1, IMM8S | END, ControlOps::loop);
        op(0xE2, IMM8S | END, ControlOps::loop);
        op(0xE3, IMM8S | END, ControlOps::jcxz);
        op(0xE4, IMM8, IoOps::in);
        op(0xE5, IMM8, IoOps::in);
        op(0xE6, IMM8 | END, IoOps::out);
        op(0xE7, IMM8 | END, IoOps::out);
        op(0xE8, IMMV | END, ControlOps::callRel);
        op(0xE9, IMMV | END, ControlOps::jmpRel);
        op(0xEA, PTR | END, ControlOps::jmpFar);
        op(0xEB, IMM8S | END, ControlOps::jmpRel);
        op(0xEC, 0, IoOps::in);
        op(0xED, 0, IoOps::in);
        op(0xEE, END, IoOps::out);
        op(0xEF, END, IoOps::out);
        op(0xF1, END, ControlOps::int1);
        op(0xF4, END, ControlOps::hlt);
        op(0xF5, 0, SystemOps::cmc);
        op(0xF8, 0, SystemOps::clc);
        op(0xF9, 0, SystemOps::stc);
        op(0xFA, 0, SystemOps::cli);
        op(0xFB, 0, SystemOps::sti);
        op(0xFC, 0, SystemOps::cld);
        op(0xFD, 0, SystemOps::std);
    }

    private static void groups() {
        group(0x80, IMM8);
        group(0x81, IMMV);
        group(0x82, IMM8);
        group(0x83, IMM8S);
        for (int r = 0; r < 8; r++) {
            int lock = r == AluOps.CMP ? 0 : LOCKABLE;
            member(0x80, r, lock, AluOps::rm8Imm);
            member(0x81, r, lock, AluOps::rmVImm);
            member(0x82, r, lock, AluOps::rm8Imm);
            member(0x83, r, lock, AluOps::rmVImm);
        }
        group(0xC0, IMM8);
        group(0xC1, IMM8);
        group(0xD0, 0);
        group(0xD1, 0);
        group(0xD2, 0);
        group(0xD3, 0);
        for (int r = 0; r < 8; r++) {
            member(0xC0, r, 0, ShiftOps::rm8);
            member(0xC1, r, 0, ShiftOps::rmV);
            member(0xD0, r, 0, ShiftOps::rm8);
            member(0xD1, r, 0, ShiftOps::rmV);
            member(0xD2, r, 0, ShiftOps::rm8);
            member(0xD3, r, 0, ShiftOps::rmV);
        }
        group(0x8F, 0);
        member(0x8F, 0, 0, StackOps::popRm);
        group(0xC6, 0);
        member(0xC6, 0, IMM8, MovOps::rm8Imm);
        group(0xC7, 0);
        member(0xC7, 0, IMMV, MovOps::rmVImm);

        group(0xF6, 0);
        member(0xF6, 0, IMM8, AluOps::testRm8Imm);
        member(0xF6, 1, IMM8, AluOps::testRm8Imm);
        member(0xF6, 2, LOCKABLE, AluOps::notRm8);
        member(0xF6, 3, LOCKABLE, AluOps::negRm8);
        member(0xF6, 4, 0, MulDivOps::mul8);
        member(0xF6, 5, 0, MulDivOps::imul8);
        member(0xF6, 6, 0, MulDivOps::div8);
        member(0xF6, 7, 0, MulDivOps::idiv8);
        group(0xF7, 0);
        member(0xF7, 0, IMMV, AluOps::testRmVImm);
        member(0xF7, 1, IMMV, AluOps::testRmVImm);
        member(0xF7, 2, LOCKABLE, AluOps::notRmV);
        member(0xF7, 3, LOCKABLE, AluOps::negRmV);
        member(0xF7, 4, 0, MulDivOps::mulV);
        member(0xF7, 5, 0, MulDivOps::imulV);
        member(0xF7, 6, 0, MulDivOps::divV);
        member(0xF7, 7, 0, MulDivOps::idivV);

        group(0xFE, 0);
        member(0xFE, 0, LOCKABLE, AluOps::incDecRm8);
        member(0xFE, 1, LOCKABLE, AluOps::incDecRm8);
        group(0xFF, 0);
        member(0xFF, 0, LOCKABLE, AluOps::incDecRmV);
        member(0xFF, 1, LOCKABLE, AluOps::incDecRmV);
        member(0xFF, 2, END, ControlOps::callRm);
        member(0xFF, 3, END | NEEDS_MEM, ControlOps::callFarMem);
        member(0xFF, 4, END, ControlOps::jmpRm);
        member(0xFF, 5, END | NEEDS_MEM, ControlOps::jmpFarMem);
        member(0xFF, 6, 0, StackOps::pushRm);
    }

    private static void twoByte() {
        group(0x100, 0);
        member(0x100, 0, 0, SystemRegisterOps::sldt);
        member(0x100, 1, 0, SystemRegisterOps::str);
        member(0x100, 2, 0, SystemRegisterOps::lldt);
        member(0x100, 3, END, SystemRegisterOps::ltr);
        member(0x100, 4, 0, SystemRegisterOps::verify);
        member(0x100, 5, 0, SystemRegisterOps::verify);
        group(0x101, 0);
        member(0x101, 0, NEEDS_MEM, SystemRegisterOps::storeTable);
        member(0x101, 1, NEEDS_MEM, SystemRegisterOps::storeTable);
        member(0x101, 2, NEEDS_MEM, SystemRegisterOps::loadTable);
        member(0x101, 3, NEEDS_MEM, SystemRegisterOps::loadTable);
        member(0x101, 4, 0, SystemRegisterOps::smsw);
        member(0x101, 6, END, SystemRegisterOps::lmsw);
        member(0x101, 7, NEEDS_MEM | END, SystemOps::invlpg);
        op(0x102, MODRM, SystemRegisterOps::lar);
        op(0x103, MODRM, SystemRegisterOps::lsl);
        op(0x106, 0, SystemRegisterOps::clts);
        op(0x108, 0, SystemOps::invd);
        op(0x109, 0, SystemOps::invd);
        op(0x10B, END, SystemOps::ud2);
        for (int n = 0x118; n <= 0x11F; n++) {
            op(n, MODRM, MovOps::nop);
        }
        op(0x120, MODRM | REG_ONLY, SystemRegisterOps::readCr);
        op(0x121, MODRM | REG_ONLY, SystemRegisterOps::readDr);
        op(0x122, MODRM | REG_ONLY | END, SystemRegisterOps::writeCr);
        op(0x123, MODRM | REG_ONLY, SystemRegisterOps::writeDr);
        op(0x130, END, SystemOps::wrmsr);
        op(0x131, 0, SystemOps::rdtsc);
        op(0x132, 0, SystemOps::rdmsr);
        for (int cc = 0; cc < 16; cc++) {
            op(0x140 + cc, MODRM, MovOps::cmov);
            op(0x180 + cc, IMMV, ControlOps::jcc);
            op(0x190 + cc, MODRM, MovOps::setcc);
        }
        op(0x1A0, 0, StackOps::pushSreg);
        op(0x1A1, 0, StackOps::popSreg);
        op(0x1A2, 0, SystemOps::cpuid);
        op(0x1A3, MODRM, BitOps::bitReg);
        op(0x1A4, MODRM | IMM8, ShiftOps::doubleShift);
        op(0x1A5, MODRM, ShiftOps::doubleShift);
        op(0x1A8, 0, StackOps::pushSreg);
        op(0x1A9, 0, StackOps::popSreg);
        op(0x1AB, MODRM | LOCKABLE, BitOps::bitReg);
        op(0x1AC, MODRM | IMM8, ShiftOps::doubleShift);
        op(0x1AD, MODRM, ShiftOps::doubleShift);
        op(0x1AF, MODRM, MulDivOps::imulReg);
        op(0x1B0, MODRM | LOCKABLE, AtomicOps::cmpxchg8);
        op(0x1B1, MODRM | LOCKABLE, AtomicOps::cmpxchgV);
        op(0x1B2, MODRM | NEEDS_MEM, MovOps::loadFarPointer);
        op(0x1B3, MODRM | LOCKABLE, BitOps::bitReg);
        op(0x1B4, MODRM | NEEDS_MEM, MovOps::loadFarPointer);
        op(0x1B5, MODRM | NEEDS_MEM, MovOps::loadFarPointer);
        op(0x1B6, MODRM, MovOps::movzx8);
        op(0x1B7, MODRM, MovOps::movzx16);
        group(0x1BA, IMM8);
        member(0x1BA, 4, 0, BitOps::bitImm);
        member(0x1BA, 5, LOCKABLE, BitOps::bitImm);
        member(0x1BA, 6, LOCKABLE, BitOps::bitImm);
        member(0x1BA, 7, LOCKABLE, BitOps::bitImm);
        op(0x1BB, MODRM | LOCKABLE, BitOps::bitReg);
        op(0x1BC, MODRM, BitOps::bsf);
        op(0x1BD, MODRM, BitOps::bsr);
        op(0x1BE, MODRM, MovOps::movsx8);
        op(0x1BF, MODRM, MovOps::movsx16);
        op(0x1C0, MODRM | LOCKABLE, AtomicOps::xadd8);
        op(0x1C1, MODRM | LOCKABLE, AtomicOps::xaddV);
        group(0x1C7, 0);
        member(0x1C7, 1, NEEDS_MEM | LOCKABLE, AtomicOps::cmpxchg8b);
        for (int r = 0; r < 8; r++) {
            op(0x1C8 + r, 0, MovOps::bswap);
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
