package dev.twinstep.core.cpu;

/** Decimal adjusts: DAA, DAS, AAA, AAS, AAM, AAD (SDM pseudocode; AAM 0 raises #DE). */
final class BcdOps {
    private BcdOps() {
    }

    /** 27: DAA */
    static void daa(Cpu c, Insn i) {
        int al = c.regs[Cpu.EAX] & 0xFF;
        boolean oldCf = c.cf();
        boolean af = c.af();
        boolean cf = false;
        int r = al;
        if ((al & 0xF) > 9 || af) {
            r = al + 6;
            cf = oldCf || r > 0xFF;
            af = true;
        } else {
            af = false;
        }
        if (al > 0x99 || oldCf) {
            r += 0x60;
            cf = true;
        }
        r &= 0xFF;
        c.setReg8(Cpu.EAX, r);
        LazyFlags.result(c, r, 0xFF, cf, ((al ^ r) & r & 0x80) != 0, af);
    }

    /** 2F: DAS */
    static void das(Cpu c, Insn i) {
        int al = c.regs[Cpu.EAX] & 0xFF;
        boolean oldCf = c.cf();
        boolean af = c.af();
        boolean cf = false;
        int r = al;
        if ((al & 0xF) > 9 || af) {
            r = al - 6;
            cf = oldCf || r < 0;
            af = true;
        } else {
            af = false;
        }
        if (al > 0x99 || oldCf) {
            r -= 0x60;
            cf = true;
        }
        r &= 0xFF;
        c.setReg8(Cpu.EAX, r);
        LazyFlags.result(c, r, 0xFF, cf, ((al ^ r) & al & 0x80) != 0, af);
    }

    /** 37: AAA */
    static void aaa(Cpu c, Insn i) {
        int ax = c.regs[Cpu.EAX] & 0xFFFF;
        boolean adjust = (ax & 0xF) > 9 || c.af();
        if (adjust) {
            ax = (ax + 0x106) & 0xFFFF;
        }
        ax &= 0xFF0F;
        c.setReg16(Cpu.EAX, ax);
        LazyFlags.result(c, ax, 0xFF, adjust, false, adjust);
    }

    /** 3F: AAS (the 286/386 form: AX = AX - 6, AH = AH - 1). */
    static void aas(Cpu c, Insn i) {
        int ax = c.regs[Cpu.EAX] & 0xFFFF;
        boolean adjust = (ax & 0xF) > 9 || c.af();
        if (adjust) {
            // AX - 6 borrows from AH when AL < 6 (as AAA's AX + 0x106 carries), then AH - 1.
            ax = (ax - 0x106) & 0xFFFF;
        }
        ax &= 0xFF0F;
        c.setReg16(Cpu.EAX, ax);
        LazyFlags.result(c, ax, 0xFF, adjust, false, adjust);
    }

    /** D4 ib: AAM */
    static void aam(Cpu c, Insn i) {
        int base = i.imm & 0xFF;
        if (base == 0) {
            throw c.fault(CpuException.DE);
        }
        int al = c.regs[Cpu.EAX] & 0xFF;
        int r = al % base;
        c.setReg16(Cpu.EAX, ((al / base) << 8) | r);
        LazyFlags.logic(c, r, 0xFF);
    }

    /** D5 ib: AAD — flags as the 8-bit addition AL + AH*base that hardware performs. */
    static void aad(Cpu c, Insn i) {
        int al = c.regs[Cpu.EAX] & 0xFF;
        int product = (((c.regs[Cpu.EAX] >>> 8) & 0xFF) * (i.imm & 0xFF)) & 0xFF;
        int r = (al + product) & 0xFF;
        c.setReg16(Cpu.EAX, r);
        LazyFlags.set(c, LazyFlags.ADD, al, product, r, 0xFF);
    }
}
