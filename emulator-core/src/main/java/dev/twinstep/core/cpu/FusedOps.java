package dev.twinstep.core.cpu;

import java.util.List;

/**
 * Compare-and-branch fusion: a CMP or TEST followed by a Jcc is executed as one decoded
 * instruction, saving one handler dispatch on the commonest pair of compiled loops. The pair still
 * counts as two instructions ({@link Insn#countThrough}) and still behaves as two wherever the
 * difference shows:
 * <ul>
 * <li>a Jcc whose target lies beyond the CS limit raises #GP(0) at the Jcc, after the compare
 * retired;</li>
 * <li>under single-step (TF) only the compare executes, so the #DB trap is taken between the two;</li>
 * <li>a memory compare that faults is a fault of the pair's first instruction, as unfused.</li>
 * </ul>
 * Both cases set {@link Cpu#pairSplit}, which the interpreter reads to count one instruction and
 * to report the Jcc's EIP.
 */
final class FusedOps {
    private FusedOps() {
    }

    static final Exec cmpRRJcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            int a = c.regs[i.rm];
            int b = c.regs[i.reg];
            LazyFlags.set(c, LazyFlags.SUB, a, b, a - b, -1);
            branch(c, i.pairedBranch);
        }
    };

    static final Exec cmpRR2Jcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            int a = c.regs[i.reg];
            int b = c.regs[i.rm];
            LazyFlags.set(c, LazyFlags.SUB, a, b, a - b, -1);
            branch(c, i.pairedBranch);
        }
    };

    static final Exec cmpRIJcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            int a = c.regs[i.rm];
            int b = i.imm;
            LazyFlags.set(c, LazyFlags.SUB, a, b, a - b, -1);
            branch(c, i.pairedBranch);
        }
    };

    static final Exec testRRJcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            LazyFlags.logic(c, c.regs[i.rm] & c.regs[i.reg], -1);
            branch(c, i.pairedBranch);
        }
    };

    static final Exec cmpAlImmJcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            int a = c.regs[Cpu.EAX] & 0xFF;
            int b = i.imm & 0xFF;
            LazyFlags.set(c, LazyFlags.SUB, a, b, (a - b) & 0xFF, 0xFF);
            branch(c, i.pairedBranch);
        }
    };

    /** CMP [base + disp], r32: a fault of the read is a fault of the whole pair, at the CMP. */
    static final Exec cmpMRJcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            int a = c.mmu.read32(i.seg, c.regs[i.base] + i.disp);
            int b = c.regs[i.reg];
            LazyFlags.set(c, LazyFlags.SUB, a, b, a - b, -1);
            branch(c, i.pairedBranch);
        }
    };

    /** CMP r32, [base + disp]. */
    static final Exec cmpRMJcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            int a = c.regs[i.reg];
            int b = c.mmu.read32(i.seg, c.regs[i.base] + i.disp);
            LazyFlags.set(c, LazyFlags.SUB, a, b, a - b, -1);
            branch(c, i.pairedBranch);
        }
    };

    /** The Jcc half; {@code c.nextEip} is the address after the pair. */
    private static void branch(Cpu c, Insn jcc) {
        if ((c.eflags & Cpu.TF) != 0) {
            // Single-step: stop between the two, at the Jcc.
            c.nextEip = (c.nextEip - jcc.length) & (c.code32() ? -1 : 0xFFFF);
            c.pairSplit = true;
            return;
        }
        if (c.condition(jcc.sub)) {
            int target = c.nextEip + jcc.imm;
            if (!jcc.o32) {
                target &= 0xFFFF;
            }
            if (Integer.compareUnsigned(target, c.segLimit[Cpu.CS]) > 0) {
                c.pairSplit = true;
                throw c.fault(CpuException.GP, 0);
            }
            c.nextEip = target;
        }
    }

    private static Exec fusedFor(Insn first) {
        Exec compare = first.exec;
        if (compare == ArithmeticHandlers.aluAlImm && first.opcode == 0x3C) {
            return cmpAlImmJcc;
        }
        if (compare == BaseDispOps.cmpMR) {
            return cmpMRJcc;
        }
        if (compare == BaseDispOps.cmpRM) {
            return cmpRMJcc;
        }
        if (compare == ArithmeticHandlers.fastCmpRR) {
            return cmpRRJcc;
        }
        if (compare == ArithmeticHandlers.fastCmpRR2) {
            return cmpRR2Jcc;
        }
        if (compare == ArithmeticHandlers.fastCmpRI) {
            return cmpRIJcc;
        }
        if (compare == ArithmeticHandlers.fastTestRR) {
            return testRRJcc;
        }
        return null;
    }

    private static boolean isJcc(Insn i) {
        int op = i.opcode;
        boolean jcc = (op >= 0x70 && op < 0x80) || (op >= 0x180 && op < 0x190);
        // A Jcc whose decoding failed (e.g. a LOCK prefix) has another handler and is not fused.
        return jcc && FastOps.isJccHandler(i.exec);
    }

    /**
     * Fuses the compare-and-branch pairs of a freshly decoded block in place and numbers its
     * instructions ({@link Insn#indexInBlock}, {@link Insn#countThrough}).
     */
    static void fuse(List<Insn> insns) {
        for (int k = 0; k + 1 < insns.size(); k++) {
            Insn first = insns.get(k);
            Insn second = insns.get(k + 1);
            Exec fused = fusedFor(first);
            if (fused != null && isJcc(second)) {
                first.exec = fused;
                first.pairedBranch = second;
                first.length += second.length;
                first.endsBlock = second.endsBlock;
                insns.remove(k + 1);
            }
        }
        int count = 0;
        for (Insn i : insns) {
            i.indexInBlock = count;
            count += i.pairedBranch != null ? 2 : 1;
            i.countThrough = count;
        }
    }
}
