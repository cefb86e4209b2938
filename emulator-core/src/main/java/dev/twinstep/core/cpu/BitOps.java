package dev.twinstep.core.cpu;

/**
 * Bit tests (BT/BTS/BTR/BTC, register and immediate offsets) and bit scans (BSF/BSR). With a
 * register offset and a memory operand the offset is signed and selects the word/dword in memory.
 * Only CF (tests) or ZF (scans) are defined; the other flags are left as they were.
 */
final class BitOps {
    static final int BT = 0, BTS = 1, BTR = 2, BTC = 3;

    private BitOps() {
    }

    /** 0F A3/AB/B3/BB: op r/m, r — {@code sub} is BT/BTS/BTR/BTC. */
    static void bitReg(Cpu c, Insn i) {
        int offset = i.o32 ? c.regs[i.reg] : (short) c.regs[i.reg];
        apply(c, i, offset, true);
    }

    /** 0F BA /4-7: op r/m, imm8 — {@code sub} is 4 + BT/BTS/BTR/BTC. */
    static void bitImm(Cpu c, Insn i) {
        apply(c, i, i.imm & 0xFF, false);
    }

    private static void apply(Cpu c, Insn i, int offset, boolean memoryIndexed) {
        int op = i.sub & 3;
        int bits = i.o32 ? 32 : 16;
        int bit = offset & (bits - 1);
        if (!i.mem) {
            int v = c.regs[i.rm];
            c.setFlag(Cpu.CF, ((v >>> bit) & 1) != 0);
            if (op != BT) {
                i.o32Write(c, modify(op, v, bit));
            }
            return;
        }
        int ea = i.ea(c);
        if (memoryIndexed) {
            ea += (offset >> (i.o32 ? 5 : 4)) * (bits / 8);
            if (i.addr16) {
                ea &= 0xFFFF;
            }
        }
        int v = i.readMemV(c, ea);
        boolean cf = ((v >>> bit) & 1) != 0;
        if (op != BT) {
            i.writeMemV(c, ea, modify(op, v, bit));
        }
        c.setFlag(Cpu.CF, cf);
    }

    private static int modify(int op, int v, int bit) {
        switch (op) {
            case BTS: return v | (1 << bit);
            case BTR: return v & ~(1 << bit);
            default: return v ^ (1 << bit);
        }
    }

    /** 0F BC: BSF (a zero source sets ZF and leaves the destination unchanged). */
    static void bsf(Cpu c, Insn i) {
        int v = i.readRmV(c);
        c.setFlag(Cpu.ZF, v == 0);
        if (v != 0) {
            i.writeRegV(c, Integer.numberOfTrailingZeros(v));
        }
    }

    /** 0F BD: BSR */
    static void bsr(Cpu c, Insn i) {
        int v = i.readRmV(c);
        c.setFlag(Cpu.ZF, v == 0);
        if (v != 0) {
            i.writeRegV(c, 31 - Integer.numberOfLeadingZeros(v));
        }
    }
}
