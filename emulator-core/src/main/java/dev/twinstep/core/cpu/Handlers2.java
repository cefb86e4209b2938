package dev.twinstep.core.cpu;

/**
 * The second half of {@link Handlers}: one {@link Exec} instance per instruction handler, each a subclass of its own: the interpreter's
 * dispatch is then a plain virtual call (a vtable load), which is measurably cheaper than the
 * interface call a method reference would need.
 */
final class Handlers2 {
    private Handlers2() {
    }

    static final Exec movRm8Imm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.rm8Imm(c, i);
        }
    };
    static final Exec movRmVImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.rmVImm(c, i);
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
    static final Exec controlCallRm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.callRm(c, i);
        }
    };
    static final Exec controlCallFarMem = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.callFarMem(c, i);
        }
    };
    static final Exec controlJmpRm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.jmpRm(c, i);
        }
    };
    static final Exec controlJmpFarMem = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.jmpFarMem(c, i);
        }
    };
    static final Exec stackPushRm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.pushRm(c, i);
        }
    };
    static final Exec sysRegSldt = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.sldt(c, i);
        }
    };
    static final Exec sysRegStr = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.str(c, i);
        }
    };
    static final Exec sysRegLldt = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.lldt(c, i);
        }
    };
    static final Exec sysRegLtr = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.ltr(c, i);
        }
    };
    static final Exec sysRegVerify = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.verify(c, i);
        }
    };
    static final Exec sysRegStoreTable = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.storeTable(c, i);
        }
    };
    static final Exec sysRegLoadTable = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.loadTable(c, i);
        }
    };
    static final Exec sysRegSmsw = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.smsw(c, i);
        }
    };
    static final Exec sysRegLmsw = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.lmsw(c, i);
        }
    };
    static final Exec systemInvlpg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.invlpg(c, i);
        }
    };
    static final Exec sysRegLar = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.lar(c, i);
        }
    };
    static final Exec sysRegLsl = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.lsl(c, i);
        }
    };
    static final Exec sysRegClts = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.clts(c, i);
        }
    };
    static final Exec systemInvd = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.invd(c, i);
        }
    };
    static final Exec systemUd2 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.ud2(c, i);
        }
    };
    static final Exec sysRegReadCr = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.readCr(c, i);
        }
    };
    static final Exec sysRegReadDr = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.readDr(c, i);
        }
    };
    static final Exec sysRegWriteCr = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.writeCr(c, i);
        }
    };
    static final Exec sysRegWriteDr = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemRegisterOps.writeDr(c, i);
        }
    };
    static final Exec systemWrmsr = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.wrmsr(c, i);
        }
    };
    static final Exec systemRdtsc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.rdtsc(c, i);
        }
    };
    static final Exec systemRdmsr = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.rdmsr(c, i);
        }
    };
    static final Exec movCmov = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.cmov(c, i);
        }
    };
    static final Exec movSetcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.setcc(c, i);
        }
    };
    static final Exec systemCpuid = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.cpuid(c, i);
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
    static final Exec movMovzx8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.movzx8(c, i);
        }
    };
    static final Exec movMovzx16 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.movzx16(c, i);
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
    static final Exec movMovsx8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.movsx8(c, i);
        }
    };
    static final Exec movMovsx16 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.movsx16(c, i);
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
    static final Exec movBswap = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.bswap(c, i);
        }
    };
    static final Exec systemGeneralProtection = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.generalProtection(c, i);
        }
    };
    static final Exec systemInvalidOpcode = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.invalidOpcode(c, i);
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
