package dev.twinstep.core.cpu;

/**
 * Handlers for the memory forms that dominate compiled 32-bit code, restricted to a
 * {@code [base + disp]} address with 32-bit addressing (no index, no 64 KiB wrap): the effective
 * address is one register load and an add, where {@link Insn#ea} tests for a base, an index and the
 * address size on every execution. The semantics are those of the {@link FastOps} handlers they
 * replace; {@link #specialise} picks one at decode time.
 */
final class BaseDispOps {
    private BaseDispOps() {
    }

    static final Exec movzx8M = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            c.regs[i.reg] = c.mmu.read8(i.seg, c.regs[i.base] + i.disp);
        }
    };

    static final Exec movzx16M = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            c.regs[i.reg] = c.mmu.read16(i.seg, c.regs[i.base] + i.disp);
        }
    };

    static final Exec movRM = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            c.regs[i.reg] = c.mmu.read32(i.seg, c.regs[i.base] + i.disp);
        }
    };

    static final Exec movMR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            c.mmu.write32(i.seg, c.regs[i.base] + i.disp, c.regs[i.reg]);
        }
    };

    static final Exec movM8R8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            c.mmu.write8(i.seg, c.regs[i.base] + i.disp, c.reg8(i.reg));
        }
    };

    static final Exec movM8Imm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            c.mmu.write8(i.seg, c.regs[i.base] + i.disp, i.imm);
        }
    };

    static final Exec cmpMR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            int a = c.mmu.read32(i.seg, c.regs[i.base] + i.disp);
            int b = c.regs[i.reg];
            LazyFlags.set(c, LazyFlags.SUB, a, b, a - b, -1);
        }
    };

    static final Exec cmpRM = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            int a = c.regs[i.reg];
            int b = c.mmu.read32(i.seg, c.regs[i.base] + i.disp);
            LazyFlags.set(c, LazyFlags.SUB, a, b, a - b, -1);
        }
    };

    static final Exec addRM = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            int a = c.regs[i.reg];
            int b = c.mmu.read32(i.seg, c.regs[i.base] + i.disp);
            int r = a + b;
            LazyFlags.set(c, LazyFlags.ADD, a, b, r, -1);
            c.regs[i.reg] = r;
        }
    };

    static final Exec lea = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            c.regs[i.reg] = c.regs[i.base] + i.disp;
        }
    };

    /**
     * Replaces {@code i.exec} when the instruction has a {@code [base + disp]} memory operand with
     * 32-bit addressing and a handler here covers its opcode and operand size.
     */
    static void specialise(Insn i) {
        if (!i.mem || i.addr16 || i.base < 0 || i.index >= 0) {
            return;
        }
        int op = i.opcode;
        if (op == 0x88) {
            i.exec = movM8R8;
        } else if (op == 0xC6 && i.reg == 0) {
            i.exec = movM8Imm;
        } else if (i.o32) {
            specialise32(i, op);
        }
    }

    private static void specialise32(Insn i, int op) {
        switch (op) {
            case 0x03: i.exec = addRM; break;
            case 0x39: i.exec = cmpMR; break;
            case 0x3B: i.exec = cmpRM; break;
            case 0x89: i.exec = movMR; break;
            case 0x8B: i.exec = movRM; break;
            case 0x8D: i.exec = lea; break;
            case 0x1B6: i.exec = movzx8M; break;
            case 0x1B7: i.exec = movzx16M; break;
            default: break;
        }
    }
}
