package dev.twinstep.core.cpu;

/**
 * MUL, IMUL (one-, two- and three-operand forms), DIV and IDIV. Division by zero and quotient
 * overflow raise #DE before any register changes. SF/ZF/PF/AF are undefined after multiplies; they
 * are set from the low half of the product.
 */
final class MulDivOps {
    private MulDivOps() {
    }

    /** F6 /4: AX = AL * r/m8 */
    static void mul8(Cpu c, Insn i) {
        int r = (c.regs[Cpu.EAX] & 0xFF) * i.readRm8(c);
        c.setReg16(Cpu.EAX, r);
        boolean high = (r & 0xFF00) != 0;
        LazyFlags.result(c, r, 0xFF, high, high, false);
    }

    /** F6 /5: AX = AL * r/m8, signed */
    static void imul8(Cpu c, Insn i) {
        int r = (byte) c.regs[Cpu.EAX] * (byte) i.readRm8(c);
        c.setReg16(Cpu.EAX, r);
        boolean over = r != (byte) r;
        LazyFlags.result(c, r, 0xFF, over, over, false);
    }

    /** F7 /4 */
    static void mulV(Cpu c, Insn i) {
        int src = i.readRmV(c);
        if (i.o32) {
            long r = (c.regs[Cpu.EAX] & 0xFFFFFFFFL) * (src & 0xFFFFFFFFL);
            c.regs[Cpu.EAX] = (int) r;
            c.regs[Cpu.EDX] = (int) (r >>> 32);
            boolean high = (r >>> 32) != 0;
            LazyFlags.result(c, (int) r, -1, high, high, false);
        } else {
            int r = (c.regs[Cpu.EAX] & 0xFFFF) * src;
            c.setReg16(Cpu.EAX, r);
            c.setReg16(Cpu.EDX, r >>> 16);
            boolean high = (r >>> 16) != 0;
            LazyFlags.result(c, r, 0xFFFF, high, high, false);
        }
    }

    /** F7 /5 */
    static void imulV(Cpu c, Insn i) {
        int src = i.readRmV(c);
        if (i.o32) {
            long r = (long) c.regs[Cpu.EAX] * (long) src;
            c.regs[Cpu.EAX] = (int) r;
            c.regs[Cpu.EDX] = (int) (r >>> 32);
            boolean over = r != (int) r;
            LazyFlags.result(c, (int) r, -1, over, over, false);
        } else {
            int r = (short) c.regs[Cpu.EAX] * (short) src;
            c.setReg16(Cpu.EAX, r);
            c.setReg16(Cpu.EDX, r >>> 16);
            boolean over = r != (short) r;
            LazyFlags.result(c, r, 0xFFFF, over, over, false);
        }
    }

    /** 0F AF (two operands), 69 and 6B (three operands, immediate in imm): r = r/m * src */
    static void imulReg(Cpu c, Insn i) {
        int a = i.readRmV(c);
        int b = i.opcode == 0x1AF ? c.regs[i.reg] : i.imm;
        if (i.o32) {
            long r = (long) a * (long) b;
            c.regs[i.reg] = (int) r;
            boolean over = r != (int) r;
            LazyFlags.result(c, (int) r, -1, over, over, false);
        } else {
            int r = (short) a * (short) b;
            c.setReg16(i.reg, r);
            boolean over = r != (short) r;
            LazyFlags.result(c, r, 0xFFFF, over, over, false);
        }
    }

    /** F6 /6: AL = AX / r/m8, AH = remainder */
    static void div8(Cpu c, Insn i) {
        int d = i.readRm8(c);
        if (d == 0) {
            throw c.fault(CpuException.DE);
        }
        int n = c.regs[Cpu.EAX] & 0xFFFF;
        int q = n / d;
        if (q > 0xFF) {
            throw c.fault(CpuException.DE);
        }
        c.setReg16(Cpu.EAX, ((n % d) << 8) | q);
    }

    /** F6 /7 */
    static void idiv8(Cpu c, Insn i) {
        int d = (byte) i.readRm8(c);
        if (d == 0) {
            throw c.fault(CpuException.DE);
        }
        int n = (short) c.regs[Cpu.EAX];
        int q = n / d;
        if (q != (byte) q) {
            throw c.fault(CpuException.DE);
        }
        c.setReg16(Cpu.EAX, ((n % d) << 8) | (q & 0xFF));
    }

    /** F7 /6 */
    static void divV(Cpu c, Insn i) {
        int d = i.readRmV(c);
        if (d == 0) {
            throw c.fault(CpuException.DE);
        }
        if (i.o32) {
            long n = ((long) c.regs[Cpu.EDX] << 32) | (c.regs[Cpu.EAX] & 0xFFFFFFFFL);
            long dl = d & 0xFFFFFFFFL;
            long q = Long.divideUnsigned(n, dl);
            if ((q >>> 32) != 0) {
                throw c.fault(CpuException.DE);
            }
            c.regs[Cpu.EAX] = (int) q;
            c.regs[Cpu.EDX] = (int) Long.remainderUnsigned(n, dl);
        } else {
            int n = ((c.regs[Cpu.EDX] & 0xFFFF) << 16) | (c.regs[Cpu.EAX] & 0xFFFF);
            long nl = n & 0xFFFFFFFFL;
            long q = nl / d;
            if (q > 0xFFFF) {
                throw c.fault(CpuException.DE);
            }
            c.setReg16(Cpu.EAX, (int) q);
            c.setReg16(Cpu.EDX, (int) (nl % d));
        }
    }

    /** F7 /7 */
    static void idivV(Cpu c, Insn i) {
        int d = i.readRmV(c);
        if (i.o32) {
            if (d == 0) {
                throw c.fault(CpuException.DE);
            }
            long n = ((long) c.regs[Cpu.EDX] << 32) | (c.regs[Cpu.EAX] & 0xFFFFFFFFL);
            if (n == Long.MIN_VALUE && d == -1) {
                throw c.fault(CpuException.DE);
            }
            long q = n / d;
            if (q != (int) q) {
                throw c.fault(CpuException.DE);
            }
            c.regs[Cpu.EAX] = (int) q;
            c.regs[Cpu.EDX] = (int) (n % d);
        } else {
            int ds = (short) d;
            if (ds == 0) {
                throw c.fault(CpuException.DE);
            }
            int n = ((c.regs[Cpu.EDX] & 0xFFFF) << 16) | (c.regs[Cpu.EAX] & 0xFFFF);
            if (n == Integer.MIN_VALUE && ds == -1) {
                throw c.fault(CpuException.DE);
            }
            int q = n / ds;
            if (q != (short) q) {
                throw c.fault(CpuException.DE);
            }
            c.setReg16(Cpu.EAX, q);
            c.setReg16(Cpu.EDX, n % ds);
        }
    }
}
