package dev.twinstep.core.cpu;

/**
 * Instructions that read or load system registers: SGDT/SIDT/LGDT/LIDT, SLDT/STR/LLDT/LTR,
 * VERR/VERW, LAR/LSL, SMSW/LMSW, CLTS, MOV to/from CR0-CR4 and DR0-DR7. Loads are privileged;
 * the descriptor work is done by {@link Segmentation} and {@link Mmu}.
 */
final class SystemRegisterOps {
    private SystemRegisterOps() {
    }

    private static int secondAddress(Insn i, int off, int add) {
        return i.addr16 ? (off + add) & 0xFFFF : off + add;
    }

    /** 0F 01 /0 SGDT (sub 0), /1 SIDT (sub 1): the 6-byte image; a 16-bit operand stores a 24-bit base. */
    static void storeTable(Cpu c, Insn i) {
        int off = i.ea(c);
        int limit = i.sub == 0 ? c.gdtrLimit : c.idtrLimit;
        int base = i.sub == 0 ? c.gdtrBase : c.idtrBase;
        if (!i.o32) {
            base &= 0x00FFFFFF;
        }
        c.mmu.write16(i.seg, off, limit);
        c.mmu.write32(i.seg, secondAddress(i, off, 2), base);
    }

    /** 0F 01 /2 LGDT (sub 2), /3 LIDT (sub 3). */
    static void loadTable(Cpu c, Insn i) {
        SystemOps.requireCpl0(c);
        int off = i.ea(c);
        int limit = c.mmu.read16(i.seg, off);
        int base = c.mmu.read32(i.seg, secondAddress(i, off, 2));
        if (!i.o32) {
            base &= 0x00FFFFFF;
        }
        if (i.sub == 2) {
            c.gdtrLimit = limit;
            c.gdtrBase = base;
        } else {
            c.idtrLimit = limit;
            c.idtrBase = base;
        }
    }

    /** 0F 01 /4: SMSW r/m16 (a register destination gets all of CR0 with a 32-bit operand). */
    static void smsw(Cpu c, Insn i) {
        if (i.mem) {
            c.mmu.write16(i.seg, i.ea(c), c.cr0);
        } else {
            i.o32Write(c, c.cr0);
        }
    }

    /** 0F 01 /6: LMSW — sets PE/MP/EM/TS; PE cannot be cleared this way. */
    static void lmsw(Cpu c, Insn i) {
        c.codeEpoch++;
        SystemOps.requireCpl0(c);
        int v = i.mem ? c.mmu.read16(i.seg, i.ea(c)) : c.regs[i.rm];
        int cr0 = (c.cr0 & ~0xE) | (v & 0xF) | (c.cr0 & Cpu.CR0_PE);
        c.mmu.writeCr0(cr0);
    }

    /** 0F 06: CLTS */
    static void clts(Cpu c, Insn i) {
        SystemOps.requireCpl0(c);
        c.cr0 &= ~Cpu.CR0_TS;
    }

    // ---------------------------------------------------------------- group 6 (protected mode only)

    private static void requireProtectedMode(Cpu c) {
        if (!c.protectedMode() || (c.eflags & Cpu.VM) != 0) {
            throw c.fault(CpuException.UD);
        }
    }

    private static void storeSelector(Cpu c, Insn i, int sel) {
        if (i.mem) {
            c.mmu.write16(i.seg, i.ea(c), sel);
        } else {
            i.o32Write(c, sel & 0xFFFF);
        }
    }

    private static int readSelector(Cpu c, Insn i) {
        return i.mem ? c.mmu.read16(i.seg, i.ea(c)) : c.regs[i.rm] & 0xFFFF;
    }

    /** 0F 00 /0 */
    static void sldt(Cpu c, Insn i) {
        requireProtectedMode(c);
        storeSelector(c, i, c.ldtrSel);
    }

    /** 0F 00 /1 */
    static void str(Cpu c, Insn i) {
        requireProtectedMode(c);
        storeSelector(c, i, c.trSel);
    }

    /** 0F 00 /2 */
    static void lldt(Cpu c, Insn i) {
        requireProtectedMode(c);
        SystemOps.requireCpl0(c);
        c.segmentation.loadLdt(readSelector(c, i));
    }

    /** 0F 00 /3 */
    static void ltr(Cpu c, Insn i) {
        c.codeEpoch++;
        requireProtectedMode(c);
        SystemOps.requireCpl0(c);
        c.segmentation.loadTaskRegister(readSelector(c, i));
    }

    /** 0F 00 /4 VERR, /5 VERW */
    static void verify(Cpu c, Insn i) {
        requireProtectedMode(c);
        int sel = readSelector(c, i);
        boolean ok = i.sub == 4 ? c.segmentation.verr(sel) : c.segmentation.verw(sel);
        c.setFlag(Cpu.ZF, ok);
    }

    /** 0F 02: LAR */
    static void lar(Cpu c, Insn i) {
        requireProtectedMode(c);
        int rights = c.segmentation.lar(readSelector(c, i));
        if (rights == -1) {
            c.setFlag(Cpu.ZF, false);
            return;
        }
        i.writeRegV(c, rights);
        c.setFlag(Cpu.ZF, true);
    }

    /** 0F 03: LSL */
    static void lsl(Cpu c, Insn i) {
        requireProtectedMode(c);
        long limit = c.segmentation.lsl(readSelector(c, i));
        if (limit == -1L) {
            c.setFlag(Cpu.ZF, false);
            return;
        }
        i.writeRegV(c, (int) limit);
        c.setFlag(Cpu.ZF, true);
    }

    // ---------------------------------------------------------------- control and debug registers

    /** 0F 20: MOV r32, CRn (reg = n, rm = GPR). */
    static void readCr(Cpu c, Insn i) {
        SystemOps.requireCpl0(c);
        int v;
        switch (i.reg) {
            case 0: v = c.cr0; break;
            case 2: v = c.cr2; break;
            case 3: v = c.cr3; break;
            case 4: v = c.cr4; break;
            default: throw c.fault(CpuException.UD);
        }
        c.regs[i.rm] = v;
    }

    /** 0F 22: MOV CRn, r32 */
    static void writeCr(Cpu c, Insn i) {
        c.codeEpoch++;
        SystemOps.requireCpl0(c);
        int v = c.regs[i.rm];
        switch (i.reg) {
            case 0:
                if ((v & Cpu.CR0_PG) != 0 && (v & Cpu.CR0_PE) == 0) {
                    throw c.fault(CpuException.GP, 0);
                }
                c.mmu.writeCr0(v);
                break;
            case 2: c.cr2 = v; break;
            case 3: c.mmu.writeCr3(v); break;
            case 4: c.mmu.writeCr4(v); break;
            default: throw c.fault(CpuException.UD);
        }
    }

    /** 0F 21: MOV r32, DRn (DR4/DR5 alias DR6/DR7). */
    static void readDr(Cpu c, Insn i) {
        SystemOps.requireCpl0(c);
        int n = i.reg == 4 || i.reg == 5 ? i.reg + 2 : i.reg;
        c.regs[i.rm] = c.dr[n];
    }

    /** 0F 23: MOV DRn, r32 */
    static void writeDr(Cpu c, Insn i) {
        SystemOps.requireCpl0(c);
        int n = i.reg == 4 || i.reg == 5 ? i.reg + 2 : i.reg;
        c.dr[n] = c.regs[i.rm];
    }
}
