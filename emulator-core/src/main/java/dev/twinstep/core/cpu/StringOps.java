package dev.twinstep.core.cpu;

/**
 * String instructions MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS with REP/REPE/REPNE, in both
 * directions and both address sizes (CX/SI/DI or ECX/ESI/EDI). {@code sub} holds the element size
 * (1, 2, 4). Registers are updated after every element, so a fault in the middle restarts the
 * instruction with the remaining count. A long REP yields every {@link #CHUNK} elements (EIP stays
 * on the instruction and the block ends) so that interrupts and stop requests are seen.
 */
final class StringOps {
    /** Elements per REP resumption. */
    static final int CHUNK = 4096;

    private static final int MOVS = 0, CMPS = 1, SCAS = 2, LODS = 3, STOS = 4, INS = 5, OUTS = 6;

    private StringOps() {
    }

    static void movs(Cpu c, Insn i) {
        run(c, i, MOVS);
    }

    static void cmps(Cpu c, Insn i) {
        run(c, i, CMPS);
    }

    static void scas(Cpu c, Insn i) {
        run(c, i, SCAS);
    }

    static void lods(Cpu c, Insn i) {
        run(c, i, LODS);
    }

    static void stos(Cpu c, Insn i) {
        run(c, i, STOS);
    }

    static void ins(Cpu c, Insn i) {
        c.syncInstructionCount(i);
        run(c, i, INS);
    }

    static void outs(Cpu c, Insn i) {
        c.syncInstructionCount(i);
        run(c, i, OUTS);
    }

    private static void run(Cpu c, Insn i, int kind) {
        if (i.rep == 0) {
            once(c, i, kind);
            return;
        }
        boolean compares = kind == CMPS || kind == SCAS;
        boolean whileEqual = i.rep == 0xF3;
        for (int n = 0; ; n++) {
            int count = i.addr16 ? c.regs[Cpu.ECX] & 0xFFFF : c.regs[Cpu.ECX];
            if (count == 0) {
                return;
            }
            if (n == CHUNK) {
                c.nextEip = c.instructionEip(i);
                c.blockExit = true;
                return;
            }
            once(c, i, kind);
            if (i.addr16) {
                c.setReg16(Cpu.ECX, count - 1);
            } else {
                c.regs[Cpu.ECX] = count - 1;
            }
            if (compares && c.zf() != whileEqual) {
                return;
            }
        }
    }

    private static int read(Cpu c, int seg, int off, int size) {
        switch (size) {
            case 1: return c.mmu.read8(seg, off);
            case 2: return c.mmu.read16(seg, off);
            default: return c.mmu.read32(seg, off);
        }
    }

    private static void write(Cpu c, int seg, int off, int size, int value) {
        switch (size) {
            case 1: c.mmu.write8(seg, off, value); break;
            case 2: c.mmu.write16(seg, off, value); break;
            default: c.mmu.write32(seg, off, value); break;
        }
    }

    private static void advance(Cpu c, Insn i, int reg, int delta) {
        if (i.addr16) {
            c.setReg16(reg, c.regs[reg] + delta);
        } else {
            c.regs[reg] += delta;
        }
    }

    private static void once(Cpu c, Insn i, int kind) {
        int size = i.sub;
        int width = size == 1 ? 0xFF : size == 2 ? 0xFFFF : -1;
        int delta = (c.eflags & Cpu.DF) != 0 ? -size : size;
        int si = i.addr16 ? c.regs[Cpu.ESI] & 0xFFFF : c.regs[Cpu.ESI];
        int di = i.addr16 ? c.regs[Cpu.EDI] & 0xFFFF : c.regs[Cpu.EDI];
        switch (kind) {
            case MOVS:
                write(c, Cpu.ES, di, size, read(c, i.seg, si, size));
                advance(c, i, Cpu.ESI, delta);
                advance(c, i, Cpu.EDI, delta);
                break;
            case CMPS: {
                int a = read(c, i.seg, si, size);
                int b = read(c, Cpu.ES, di, size);
                LazyFlags.set(c, LazyFlags.SUB, a, b, (a - b) & width, width);
                advance(c, i, Cpu.ESI, delta);
                advance(c, i, Cpu.EDI, delta);
                break;
            }
            case SCAS: {
                int a = c.regs[Cpu.EAX] & width;
                int b = read(c, Cpu.ES, di, size);
                LazyFlags.set(c, LazyFlags.SUB, a, b, (a - b) & width, width);
                advance(c, i, Cpu.EDI, delta);
                break;
            }
            case LODS: {
                int v = read(c, i.seg, si, size);
                setAcc(c, size, v);
                advance(c, i, Cpu.ESI, delta);
                break;
            }
            case STOS:
                write(c, Cpu.ES, di, size, c.regs[Cpu.EAX]);
                advance(c, i, Cpu.EDI, delta);
                break;
            case INS: {
                int port = c.regs[Cpu.EDX] & 0xFFFF;
                c.segmentation.checkIoPermission(port, size);
                // Probe the destination first so a fault does not lose the port read.
                read(c, Cpu.ES, di, size);
                write(c, Cpu.ES, di, size, c.io.read(port, size));
                advance(c, i, Cpu.EDI, delta);
                break;
            }
            default: { // OUTS
                int port = c.regs[Cpu.EDX] & 0xFFFF;
                c.segmentation.checkIoPermission(port, size);
                int v = read(c, i.seg, si, size);
                c.io.write(port, size, v);
                advance(c, i, Cpu.ESI, delta);
                break;
            }
        }
    }

    static void setAcc(Cpu c, int size, int v) {
        switch (size) {
            case 1: c.setReg8(Cpu.EAX, v); break;
            case 2: c.setReg16(Cpu.EAX, v); break;
            default: c.regs[Cpu.EAX] = v; break;
        }
    }
}
