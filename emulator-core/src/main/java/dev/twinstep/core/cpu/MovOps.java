package dev.twinstep.core.cpu;

/**
 * Data movement: MOV in all forms, LEA, XCHG, MOVZX/MOVSX, CBW/CWD, XLAT, LAHF/SAHF, SALC,
 * CMOVcc, SETcc, BSWAP, segment register moves and the far-pointer loads (LDS...).
 */
final class MovOps {
    private MovOps() {
    }

    /** 88: MOV r/m8, r8 */
    static void rm8R8(Cpu c, Insn i) {
        i.writeRm8(c, c.reg8(i.reg));
    }

    /** 89: MOV r/m16/32, r16/32 */
    static void rmVRV(Cpu c, Insn i) {
        if (i.o32) {
            if (i.mem) {
                c.mmu.write32(i.seg, i.ea(c), c.regs[i.reg]);
            } else {
                c.regs[i.rm] = c.regs[i.reg];
            }
        } else {
            i.writeRmV(c, c.regs[i.reg]);
        }
    }

    /** 8A: MOV r8, r/m8 */
    static void r8Rm8(Cpu c, Insn i) {
        c.setReg8(i.reg, i.readRm8(c));
    }

    /** 8B: MOV r16/32, r/m16/32 */
    static void rVRmV(Cpu c, Insn i) {
        if (i.o32) {
            c.regs[i.reg] = i.mem ? c.mmu.read32(i.seg, i.ea(c)) : c.regs[i.rm];
        } else {
            c.setReg16(i.reg, i.readRmV(c));
        }
    }

    /** B0-B7: MOV r8, imm8 */
    static void r8Imm(Cpu c, Insn i) {
        c.setReg8(i.reg, i.imm);
    }

    /** B8-BF: MOV r16/32, imm */
    static void rVImm(Cpu c, Insn i) {
        i.writeRegV(c, i.imm);
    }

    /** C6 /0 and A2 (moffs): MOV r/m8, imm8 / AL */
    static void rm8Imm(Cpu c, Insn i) {
        i.writeRm8(c, i.imm);
    }

    /** C7 /0: MOV r/m16/32, imm */
    static void rmVImm(Cpu c, Insn i) {
        i.writeRmV(c, i.imm);
    }

    /** A0: MOV AL, moffs8 */
    static void alMoffs(Cpu c, Insn i) {
        c.setReg8(Cpu.EAX, c.mmu.read8(i.seg, i.ea(c)));
    }

    /** A1: MOV eAX, moffs */
    static void accMoffs(Cpu c, Insn i) {
        if (i.o32) {
            c.regs[Cpu.EAX] = c.mmu.read32(i.seg, i.ea(c));
        } else {
            c.setReg16(Cpu.EAX, c.mmu.read16(i.seg, i.ea(c)));
        }
    }

    /** A2: MOV moffs8, AL */
    static void moffsAl(Cpu c, Insn i) {
        c.mmu.write8(i.seg, i.ea(c), c.regs[Cpu.EAX]);
    }

    /** A3: MOV moffs, eAX */
    static void moffsAcc(Cpu c, Insn i) {
        i.writeMemV(c, i.ea(c), c.regs[Cpu.EAX]);
    }

    /** 8D: LEA (register source is #UD, enforced by the decoder). */
    static void lea(Cpu c, Insn i) {
        i.writeRegV(c, i.ea(c));
    }

    /** 86: XCHG r/m8, r8 */
    static void xchg8(Cpu c, Insn i) {
        if (i.mem) {
            int off = i.ea(c);
            int m = c.mmu.read8(i.seg, off);
            c.mmu.write8(i.seg, off, c.reg8(i.reg));
            c.setReg8(i.reg, m);
        } else {
            int a = c.reg8(i.rm);
            c.setReg8(i.rm, c.reg8(i.reg));
            c.setReg8(i.reg, a);
        }
    }

    /** 87 and 91-97: XCHG r/m16/32, r16/32 */
    static void xchgV(Cpu c, Insn i) {
        if (i.mem) {
            int off = i.ea(c);
            int m = i.readMemV(c, off);
            i.writeMemV(c, off, c.regs[i.reg]);
            i.writeRegV(c, m);
        } else {
            int a = c.regs[i.rm];
            i.o32Write(c, c.regs[i.reg]);
            i.writeRegV(c, a);
        }
    }

    /** 90, and other no-operation forms (0F 1F, PAUSE). */
    static void nop(Cpu c, Insn i) {
    }

    /** 0F B6: MOVZX r, r/m8 */
    static void movzx8(Cpu c, Insn i) {
        i.writeRegV(c, i.readRm8(c));
    }

    /** 0F B7: MOVZX r, r/m16 */
    static void movzx16(Cpu c, Insn i) {
        int v = i.mem ? c.mmu.read16(i.seg, i.ea(c)) : c.regs[i.rm] & 0xFFFF;
        i.writeRegV(c, v);
    }

    /** 0F BE: MOVSX r, r/m8 */
    static void movsx8(Cpu c, Insn i) {
        i.writeRegV(c, (byte) i.readRm8(c));
    }

    /** 0F BF: MOVSX r, r/m16 */
    static void movsx16(Cpu c, Insn i) {
        int v = i.mem ? c.mmu.read16(i.seg, i.ea(c)) : c.regs[i.rm];
        i.writeRegV(c, (short) v);
    }

    /** 98: CBW / CWDE */
    static void cbw(Cpu c, Insn i) {
        if (i.o32) {
            c.regs[Cpu.EAX] = (short) c.regs[Cpu.EAX];
        } else {
            c.setReg16(Cpu.EAX, (byte) c.regs[Cpu.EAX]);
        }
    }

    /** 99: CWD / CDQ */
    static void cwd(Cpu c, Insn i) {
        if (i.o32) {
            c.regs[Cpu.EDX] = c.regs[Cpu.EAX] >> 31;
        } else {
            c.setReg16(Cpu.EDX, ((short) c.regs[Cpu.EAX]) >> 15);
        }
    }

    /** D7: XLAT */
    static void xlat(Cpu c, Insn i) {
        int off = c.regs[Cpu.EBX] + (c.regs[Cpu.EAX] & 0xFF);
        if (i.addr16) {
            off &= 0xFFFF;
        }
        c.setReg8(Cpu.EAX, c.mmu.read8(i.seg, off));
    }

    /** 9F: LAHF */
    static void lahf(Cpu c, Insn i) {
        c.setReg8(4, (c.getEflags() & 0xD5) | 0x02);
    }

    /** 9E: SAHF */
    static void sahf(Cpu c, Insn i) {
        int f = c.getEflags();
        c.setEflags((f & ~0xD5) | (c.reg8(4) & 0xD5));
    }

    /** D6: SALC (undocumented): AL = CF ? 0xFF : 0. */
    static void salc(Cpu c, Insn i) {
        c.setReg8(Cpu.EAX, c.cf() ? 0xFF : 0);
    }

    /** 0F 40-4F: CMOVcc (the source is read, and may fault, even when the condition is false). */
    static void cmov(Cpu c, Insn i) {
        int v = i.readRmV(c);
        if (c.condition(i.sub)) {
            i.writeRegV(c, v);
        }
    }

    /** 0F 90-9F: SETcc r/m8 */
    static void setcc(Cpu c, Insn i) {
        i.writeRm8(c, c.condition(i.sub) ? 1 : 0);
    }

    /** 0F C8-CF: BSWAP (16-bit operand size is undefined; it clears the low word as hardware does). */
    static void bswap(Cpu c, Insn i) {
        if (i.o32) {
            c.regs[i.reg] = Integer.reverseBytes(c.regs[i.reg]);
        } else {
            c.setReg16(i.reg, 0);
        }
    }

    // ---------------------------------------------------------------- segment registers

    /** 8C: MOV r/m16, Sreg (a register destination with 32-bit operand size is zero-extended). */
    static void rmSreg(Cpu c, Insn i) {
        if (i.reg > Cpu.GS) {
            throw c.fault(CpuException.UD);
        }
        int sel = c.segSel[i.reg] & 0xFFFF;
        if (i.mem) {
            c.mmu.write16(i.seg, i.ea(c), sel);
        } else {
            i.o32Write(c, sel);
        }
    }

    /** 8E: MOV Sreg, r/m16 (CS is #UD; SS inhibits interrupts for one instruction). */
    static void sregRm(Cpu c, Insn i) {
        if (i.reg == Cpu.CS || i.reg > Cpu.GS) {
            throw c.fault(CpuException.UD);
        }
        int sel = i.mem ? c.mmu.read16(i.seg, i.ea(c)) : c.regs[i.rm] & 0xFFFF;
        c.segmentation.loadSegment(i.reg, sel);
        if (i.reg == Cpu.SS) {
            c.interruptShadow = true;
        }
    }

    /** C4 LES, C5 LDS, 0F B2 LSS, 0F B4 LFS, 0F B5 LGS: {@code sub} is the segment register. */
    static void loadFarPointer(Cpu c, Insn i) {
        int off = i.ea(c);
        int offset = i.o32 ? c.mmu.read32(i.seg, off) : c.mmu.read16(i.seg, off);
        int selAt = off + i.sizeV();
        int sel = c.mmu.read16(i.seg, i.addr16 ? selAt & 0xFFFF : selAt);
        c.segmentation.loadSegment(i.sub, sel);
        i.writeRegV(c, offset);
        if (i.sub == Cpu.SS) {
            c.interruptShadow = true;
        }
    }
}
