package dev.twinstep.core.cpu;

/**
 * The 486/Pentium read-modify-write instructions: CMPXCHG, XADD, CMPXCHG8B. There is one CPU and
 * one thread, so LOCK needs no extra work; a memory destination is always written back, as the
 * hardware's locked cycle does.
 */
final class AtomicOps {
    private AtomicOps() {
    }

    /** 0F B0: CMPXCHG r/m8, r8 */
    static void cmpxchg8(Cpu c, Insn i) {
        int off = i.mem ? i.ea(c) : 0;
        int dest = i.mem ? c.mmu.read8(i.seg, off) : c.reg8(i.rm);
        int acc = c.regs[Cpu.EAX] & 0xFF;
        LazyFlags.set(c, LazyFlags.SUB, acc, dest, (acc - dest) & 0xFF, 0xFF);
        int result = acc == dest ? c.reg8(i.reg) : dest;
        if (i.mem) {
            c.mmu.write8(i.seg, off, result);
        } else {
            c.setReg8(i.rm, result);
        }
        if (acc != dest) {
            c.setReg8(Cpu.EAX, dest);
        }
    }

    /** 0F B1: CMPXCHG r/m16/32, r16/32 */
    static void cmpxchgV(Cpu c, Insn i) {
        int w = i.widthV();
        int off = i.mem ? i.ea(c) : 0;
        int dest = i.mem ? i.readMemV(c, off) : c.regs[i.rm] & w;
        int acc = c.regs[Cpu.EAX] & w;
        LazyFlags.set(c, LazyFlags.SUB, acc, dest, (acc - dest) & w, w);
        int result = acc == dest ? c.regs[i.reg] : dest;
        if (i.mem) {
            i.writeMemV(c, off, result);
        } else {
            i.o32Write(c, result);
        }
        if (acc != dest) {
            if (i.o32) {
                c.regs[Cpu.EAX] = dest;
            } else {
                c.setReg16(Cpu.EAX, dest);
            }
        }
    }

    /** 0F C0: XADD r/m8, r8 */
    static void xadd8(Cpu c, Insn i) {
        int off = i.mem ? i.ea(c) : 0;
        int dest = i.mem ? c.mmu.read8(i.seg, off) : c.reg8(i.rm);
        int src = c.reg8(i.reg);
        int sum = AluOps.alu(c, AluOps.ADD, dest, src, 0xFF);
        if (i.mem) {
            c.mmu.write8(i.seg, off, sum);
            c.setReg8(i.reg, dest);
        } else {
            c.setReg8(i.reg, dest);
            c.setReg8(i.rm, sum);
        }
    }

    /** 0F C1: XADD r/m16/32, r16/32 */
    static void xaddV(Cpu c, Insn i) {
        int w = i.widthV();
        int off = i.mem ? i.ea(c) : 0;
        int dest = i.mem ? i.readMemV(c, off) : c.regs[i.rm] & w;
        int src = c.regs[i.reg] & w;
        int sum = AluOps.alu(c, AluOps.ADD, dest, src, w);
        if (i.mem) {
            i.writeMemV(c, off, sum);
            i.writeRegV(c, dest);
        } else {
            i.writeRegV(c, dest);
            i.o32Write(c, sum);
        }
    }

    /** 0F C7 /1: CMPXCHG8B m64 */
    static void cmpxchg8b(Cpu c, Insn i) {
        int off = i.ea(c);
        int hiOff = i.addr16 ? (off + 4) & 0xFFFF : off + 4;
        int lo = c.mmu.read32(i.seg, off);
        int hi = c.mmu.read32(i.seg, hiOff);
        if (lo == c.regs[Cpu.EAX] && hi == c.regs[Cpu.EDX]) {
            c.mmu.write32(i.seg, off, c.regs[Cpu.EBX]);
            c.mmu.write32(i.seg, hiOff, c.regs[Cpu.ECX]);
            c.setFlag(Cpu.ZF, true);
        } else {
            c.mmu.write32(i.seg, off, lo);
            c.mmu.write32(i.seg, hiOff, hi);
            c.regs[Cpu.EAX] = lo;
            c.regs[Cpu.EDX] = hi;
            c.setFlag(Cpu.ZF, false);
        }
    }
}
