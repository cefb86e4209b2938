package dev.twinstep.core.cpu;

/**
 * One {@link Exec} instance per instruction handler, each a subclass of its own: the interpreter's
 * dispatch is then a plain virtual call (a vtable load), which is measurably cheaper than the
 * interface call a method reference would need.
 */
final class Handlers {
    private Handlers() {
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
    static final Exec stackPushSreg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.pushSreg(c, i);
        }
    };
    static final Exec stackPopSreg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.popSreg(c, i);
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
    static final Exec stackPushReg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.pushReg(c, i);
        }
    };
    static final Exec stackPopReg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.popReg(c, i);
        }
    };
    static final Exec movNop = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.nop(c, i);
        }
    };
    static final Exec movXchgV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.xchgV(c, i);
        }
    };
    static final Exec movR8Imm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.r8Imm(c, i);
        }
    };
    static final Exec movRVImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.rVImm(c, i);
        }
    };
    static final Exec systemFpuEscape = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.fpuEscape(c, i);
        }
    };
    static final Exec stackPusha = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.pusha(c, i);
        }
    };
    static final Exec stackPopa = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.popa(c, i);
        }
    };
    static final Exec systemBound = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.bound(c, i);
        }
    };
    static final Exec systemArpl = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.arpl(c, i);
        }
    };
    static final Exec stackPushImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.pushImm(c, i);
        }
    };
    static final Exec mulDivImulReg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MulDivOps.imulReg(c, i);
        }
    };
    static final Exec stringIns = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StringOps.ins(c, i);
        }
    };
    static final Exec stringOuts = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StringOps.outs(c, i);
        }
    };
    static final Exec controlJcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.jcc(c, i);
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
    static final Exec movXchg8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.xchg8(c, i);
        }
    };
    static final Exec movRm8R8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.rm8R8(c, i);
        }
    };
    static final Exec movRmVRV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.rmVRV(c, i);
        }
    };
    static final Exec movR8Rm8 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.r8Rm8(c, i);
        }
    };
    static final Exec movRVRmV = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.rVRmV(c, i);
        }
    };
    static final Exec movRmSreg = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.rmSreg(c, i);
        }
    };
    static final Exec movLea = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.lea(c, i);
        }
    };
    static final Exec movSregRm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.sregRm(c, i);
        }
    };
    static final Exec movCbw = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.cbw(c, i);
        }
    };
    static final Exec movCwd = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.cwd(c, i);
        }
    };
    static final Exec controlCallFar = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.callFar(c, i);
        }
    };
    static final Exec systemFwait = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.fwait(c, i);
        }
    };
    static final Exec stackPushf = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.pushf(c, i);
        }
    };
    static final Exec stackPopf = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.popf(c, i);
        }
    };
    static final Exec movSahf = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.sahf(c, i);
        }
    };
    static final Exec movLahf = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.lahf(c, i);
        }
    };
    static final Exec movAlMoffs = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.alMoffs(c, i);
        }
    };
    static final Exec movAccMoffs = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.accMoffs(c, i);
        }
    };
    static final Exec movMoffsAl = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.moffsAl(c, i);
        }
    };
    static final Exec movMoffsAcc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.moffsAcc(c, i);
        }
    };
    static final Exec stringMovs = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StringOps.movs(c, i);
        }
    };
    static final Exec stringCmps = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StringOps.cmps(c, i);
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
    static final Exec stringStos = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StringOps.stos(c, i);
        }
    };
    static final Exec stringLods = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StringOps.lods(c, i);
        }
    };
    static final Exec stringScas = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StringOps.scas(c, i);
        }
    };
    static final Exec controlRet = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.ret(c, i);
        }
    };
    static final Exec movLoadFarPointer = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.loadFarPointer(c, i);
        }
    };
    static final Exec stackEnter = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.enter(c, i);
        }
    };
    static final Exec stackLeave = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.leave(c, i);
        }
    };
    static final Exec controlRetFar = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.retFar(c, i);
        }
    };
    static final Exec controlInt3 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.int3(c, i);
        }
    };
    static final Exec controlIntN = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.intN(c, i);
        }
    };
    static final Exec controlInto = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.into(c, i);
        }
    };
    static final Exec controlIret = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.iret(c, i);
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
    static final Exec movSalc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.salc(c, i);
        }
    };
    static final Exec movXlat = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.xlat(c, i);
        }
    };
    static final Exec controlLoop = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.loop(c, i);
        }
    };
    static final Exec controlJcxz = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.jcxz(c, i);
        }
    };
    static final Exec ioIn = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            IoOps.in(c, i);
        }
    };
    static final Exec ioOut = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            IoOps.out(c, i);
        }
    };
    static final Exec controlCallRel = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.callRel(c, i);
        }
    };
    static final Exec controlJmpRel = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.jmpRel(c, i);
        }
    };
    static final Exec controlJmpFar = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.jmpFar(c, i);
        }
    };
    static final Exec controlInt1 = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.int1(c, i);
        }
    };
    static final Exec controlHlt = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            ControlOps.hlt(c, i);
        }
    };
    static final Exec systemCmc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.cmc(c, i);
        }
    };
    static final Exec systemClc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.clc(c, i);
        }
    };
    static final Exec systemStc = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.stc(c, i);
        }
    };
    static final Exec systemCli = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.cli(c, i);
        }
    };
    static final Exec systemSti = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.sti(c, i);
        }
    };
    static final Exec systemCld = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.cld(c, i);
        }
    };
    static final Exec systemStd = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.std(c, i);
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
    static final Exec stackPopRm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.popRm(c, i);
        }
    };
}
