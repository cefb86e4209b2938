package dev.twinstep.core.cpu;

/**
 * One {@link Exec} subclass instance per instruction handler (arithmetic, logic, shift, bit, decimal, atomic and specialised (FastOps) handlers). Each
 * handler being its own subclass makes the interpreter's dispatch a virtual call (a vtable load),
 * measurably cheaper than the interface call a method reference would need.
 */
final class ArithmeticHandlers {
    private ArithmeticHandlers() {
    }

    static final Exec aluRm8R8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.rm8R8(c, i);
        }
    };

    static final Exec aluRmVRV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.rmVRV(c, i);
        }
    };

    static final Exec aluR8Rm8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.r8Rm8(c, i);
        }
    };

    static final Exec aluRVRmV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.rVRmV(c, i);
        }
    };

    static final Exec aluAlImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.alImm(c, i);
        }
    };

    static final Exec aluAccImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.accImm(c, i);
        }
    };

    static final Exec bcdDaa = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BcdOps.daa(c, i);
        }
    };

    static final Exec bcdDas = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BcdOps.das(c, i);
        }
    };

    static final Exec bcdAaa = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BcdOps.aaa(c, i);
        }
    };

    static final Exec bcdAas = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BcdOps.aas(c, i);
        }
    };

    static final Exec aluIncReg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.incReg(c, i);
        }
    };

    static final Exec aluDecReg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.decReg(c, i);
        }
    };

    static final Exec mulDivImulReg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.imulReg(c, i);
        }
    };

    static final Exec aluTestRm8R8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.testRm8R8(c, i);
        }
    };

    static final Exec aluTestRmVRV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.testRmVRV(c, i);
        }
    };

    static final Exec aluTestRm8Imm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.testRm8Imm(c, i);
        }
    };

    static final Exec aluTestRmVImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.testRmVImm(c, i);
        }
    };

    static final Exec bcdAam = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BcdOps.aam(c, i);
        }
    };

    static final Exec bcdAad = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BcdOps.aad(c, i);
        }
    };

    static final Exec aluRm8Imm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.rm8Imm(c, i);
        }
    };

    static final Exec aluRmVImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.rmVImm(c, i);
        }
    };

    static final Exec shiftRm8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ShiftOps.rm8(c, i);
        }
    };

    static final Exec shiftRmV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ShiftOps.rmV(c, i);
        }
    };

    static final Exec aluNotRm8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.notRm8(c, i);
        }
    };

    static final Exec aluNegRm8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.negRm8(c, i);
        }
    };

    static final Exec mulDivMul8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.mul8(c, i);
        }
    };

    static final Exec mulDivImul8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.imul8(c, i);
        }
    };

    static final Exec mulDivDiv8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.div8(c, i);
        }
    };

    static final Exec mulDivIdiv8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.idiv8(c, i);
        }
    };

    static final Exec aluNotRmV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.notRmV(c, i);
        }
    };

    static final Exec aluNegRmV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.negRmV(c, i);
        }
    };

    static final Exec mulDivMulV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.mulV(c, i);
        }
    };

    static final Exec mulDivImulV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.imulV(c, i);
        }
    };

    static final Exec mulDivDivV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.divV(c, i);
        }
    };

    static final Exec mulDivIdivV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.idivV(c, i);
        }
    };

    static final Exec aluIncDecRm8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.incDecRm8(c, i);
        }
    };

    static final Exec aluIncDecRmV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AluOps.incDecRmV(c, i);
        }
    };

    static final Exec bitBitReg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BitOps.bitReg(c, i);
        }
    };

    static final Exec shiftDoubleShift = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ShiftOps.doubleShift(c, i);
        }
    };

    static final Exec atomicCmpxchg8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AtomicOps.cmpxchg8(c, i);
        }
    };

    static final Exec atomicCmpxchgV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AtomicOps.cmpxchgV(c, i);
        }
    };

    static final Exec bitBitImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BitOps.bitImm(c, i);
        }
    };

    static final Exec bitBsf = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BitOps.bsf(c, i);
        }
    };

    static final Exec bitBsr = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            BitOps.bsr(c, i);
        }
    };

    static final Exec atomicXadd8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AtomicOps.xadd8(c, i);
        }
    };

    static final Exec atomicXaddV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AtomicOps.xaddV(c, i);
        }
    };

    static final Exec atomicCmpxchg8b = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            AtomicOps.cmpxchg8b(c, i);
        }
    };

    static final Exec fastAddRR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.addRR(c, i);
        }
    };

    static final Exec fastAddRR2 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.addRR2(c, i);
        }
    };

    static final Exec fastAddRM = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.addRM(c, i);
        }
    };

    static final Exec fastOrRR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.orRR(c, i);
        }
    };

    static final Exec fastAndRR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.andRR(c, i);
        }
    };

    static final Exec fastSubRR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.subRR(c, i);
        }
    };

    static final Exec fastSubRR2 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.subRR2(c, i);
        }
    };

    static final Exec fastXorRR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.xorRR(c, i);
        }
    };

    static final Exec fastCmpRR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.cmpRR(c, i);
        }
    };

    static final Exec fastCmpMR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.cmpMR(c, i);
        }
    };

    static final Exec fastCmpRR2 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.cmpRR2(c, i);
        }
    };

    static final Exec fastCmpRM = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.cmpRM(c, i);
        }
    };

    static final Exec fastTestRR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.testRR(c, i);
        }
    };

    static final Exec fastMovRR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.movRR(c, i);
        }
    };

    static final Exec fastMovMR = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.movMR(c, i);
        }
    };

    static final Exec fastMovRR2 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.movRR2(c, i);
        }
    };

    static final Exec fastMovRM = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.movRM(c, i);
        }
    };

    static final Exec fastLea = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.lea(c, i);
        }
    };

    static final Exec fastMovzx8R = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.movzx8R(c, i);
        }
    };

    static final Exec fastMovzx8M = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.movzx8M(c, i);
        }
    };

    static final Exec fastMovzx16M = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.movzx16M(c, i);
        }
    };

    static final Exec fastShlImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.shlImm(c, i);
        }
    };

    static final Exec fastShrImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.shrImm(c, i);
        }
    };

    static final Exec fastSarImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.sarImm(c, i);
        }
    };

    static final Exec fastInc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.inc(c, i);
        }
    };

    static final Exec fastDec = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.dec(c, i);
        }
    };

    static final Exec fastAddRI = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.addRI(c, i);
        }
    };

    static final Exec fastAndRI = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.andRI(c, i);
        }
    };

    static final Exec fastSubRI = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.subRI(c, i);
        }
    };

    static final Exec fastCmpRI = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            FastOps.cmpRI(c, i);
        }
    };
}
