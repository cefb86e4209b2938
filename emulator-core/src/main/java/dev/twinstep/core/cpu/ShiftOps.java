package dev.twinstep.core.cpu;

/**
 * Shifts and rotates (group 2: ROL ROR RCL RCR SHL SHR SAL SAR) and the double shifts SHLD/SHRD.
 * The count is masked to 5 bits as on the 386; a zero count changes nothing, flags included.
 * Flags follow the SDM; OF is also set for counts above one (MSB(result) XOR CF for left
 * rotates/shifts, as the 80286 vectors show for rotates).
 */
final class ShiftOps {
    static final int ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7;

    private ShiftOps() {
    }

    /** Shift count: CL for D2/D3 (imm2 == 1), else the immediate (1 for D0/D1). */
    private static int count(Cpu c, Insn i) {
        return (i.imm2 != 0 ? c.regs[Cpu.ECX] : i.imm) & 31;
    }

    static void rm8(Cpu c, Insn i) {
        int n = count(c, i);
        if (n == 0) {
            i.readRm8(c);
            return;
        }
        if (i.mem) {
            int off = i.ea(c);
            c.mmu.write8(i.seg, off, shift(c, i.sub, c.mmu.read8(i.seg, off), n, 8));
        } else {
            c.setReg8(i.rm, shift(c, i.sub, c.reg8(i.rm), n, 8));
        }
    }

    static void rmV(Cpu c, Insn i) {
        int n = count(c, i);
        if (n == 0) {
            i.readRmV(c);
            return;
        }
        int bits = i.o32 ? 32 : 16;
        if (i.mem) {
            int off = i.ea(c);
            i.writeMemV(c, off, shift(c, i.sub, i.readMemV(c, off), n, bits));
        } else {
            i.o32Write(c, shift(c, i.sub, c.regs[i.rm] & i.widthV(), n, bits));
        }
    }

    /**
     * Applies group-2 operation {@code op} to zero-extended {@code a} of {@code bits} width with
     * count {@code n} (1-31) and sets the flags; returns the result.
     */
    static int shift(Cpu c, int op, int a, int n, int bits) {
        int width = bits == 32 ? -1 : (1 << bits) - 1;
        int sign = 1 << (bits - 1);
        int r;
        boolean cf;
        switch (op) {
            case ROL: {
                int k = n & (bits - 1);
                r = k == 0 ? a : ((a << k) | (a >>> (bits - k))) & width;
                cf = (r & 1) != 0;
                c.setFlag(Cpu.CF, cf);
                c.setFlag(Cpu.OF, ((r & sign) != 0) ^ cf);
                return r;
            }
            case ROR: {
                int k = n & (bits - 1);
                r = k == 0 ? a : ((a >>> k) | (a << (bits - k))) & width;
                c.setFlag(Cpu.CF, (r & sign) != 0);
                c.setFlag(Cpu.OF, (((r << 1) ^ r) & sign) != 0);
                return r;
            }
            case RCL: {
                int k = bits == 32 ? n : n % (bits + 1);
                if (k == 0) {
                    return a;
                }
                long wide = ((long) a & 0xFFFFFFFFL) | (c.cf() ? 1L << bits : 0);
                long rotated = ((wide << k) | (wide >>> (bits + 1 - k))) & ((1L << (bits + 1)) - 1);
                r = (int) rotated & width;
                cf = ((rotated >>> bits) & 1) != 0;
                c.setFlag(Cpu.CF, cf);
                c.setFlag(Cpu.OF, ((r & sign) != 0) ^ cf);
                return r;
            }
            case RCR: {
                int k = bits == 32 ? n : n % (bits + 1);
                if (k == 0) {
                    return a;
                }
                long wide = ((long) a & 0xFFFFFFFFL) | (c.cf() ? 1L << bits : 0);
                long rotated = ((wide >>> k) | (wide << (bits + 1 - k))) & ((1L << (bits + 1)) - 1);
                r = (int) rotated & width;
                c.setFlag(Cpu.CF, ((rotated >>> bits) & 1) != 0);
                c.setFlag(Cpu.OF, (((r << 1) ^ r) & sign) != 0);
                return r;
            }
            case SHL:
            case SAL: {
                long wide = ((long) a & 0xFFFFFFFFL) << n;
                r = (int) wide & width;
                cf = ((wide >>> bits) & 1) != 0;
                LazyFlags.result(c, r, width, cf, ((r & sign) != 0) ^ cf, false);
                return r;
            }
            case SHR: {
                r = n >= bits ? 0 : a >>> n;
                cf = n > bits ? false : ((a >>> (n - 1)) & 1) != 0;
                LazyFlags.result(c, r, width, cf, (a & sign) != 0, false);
                return r;
            }
            default: { // SAR
                int s = (a << (32 - bits)) >> (32 - bits);
                r = (s >> Math.min(n, 31)) & width;
                cf = ((s >> Math.min(n - 1, 31)) & 1) != 0;
                LazyFlags.result(c, r, width, cf, false, false);
                return r;
            }
        }
    }

    /** 0F A4/A5 (SHLD, sub 0) and 0F AC/AD (SHRD, sub 1): count in imm (imm2 == 1: CL). */
    static void doubleShift(Cpu c, Insn i) {
        int n = count(c, i);
        if (n == 0) {
            i.readRmV(c);
            return;
        }
        int off = i.mem ? i.ea(c) : 0;
        int a = i.mem ? i.readMemV(c, off) : c.regs[i.rm] & i.widthV();
        int b = c.regs[i.reg] & i.widthV();
        int r;
        boolean cf;
        int width = i.widthV();
        int sign = i.o32 ? 0x80000000 : 0x8000;
        boolean left = i.sub == 0;
        if (i.o32) {
            if (left) {
                r = (a << n) | (b >>> (32 - n));
                cf = ((a >>> (32 - n)) & 1) != 0;
            } else {
                r = (a >>> n) | (b << (32 - n));
                cf = ((a >>> (n - 1)) & 1) != 0;
            }
        } else {
            long t;
            if (left) {
                t = ((long) a << 32) | ((long) b << 16) | a;
                r = (int) (t << n >>> 32) & 0xFFFF;
                cf = ((t >>> (48 - n)) & 1) != 0;
            } else {
                t = a | ((long) b << 16) | ((long) a << 32);
                r = (int) (t >>> n) & 0xFFFF;
                cf = ((t >>> (n - 1)) & 1) != 0;
            }
        }
        LazyFlags.result(c, r, width, cf, ((r ^ a) & sign) != 0, false);
        if (i.mem) {
            i.writeMemV(c, off, r);
        } else {
            i.o32Write(c, r);
        }
    }
}
