package dev.twinstep.core.cpu;

/**
 * One {@link Exec} subclass instance per instruction handler (data-movement, stack, control-transfer, string and I/O handlers). Each
 * handler being its own subclass makes the interpreter's dispatch a virtual call (a vtable load),
 * measurably cheaper than the interface call a method reference would need.
 */
final class TransferHandlers {
    private TransferHandlers() {
    }

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

    static final Exec stackPushImm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.pushImm(c, i);
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

    static final Exec stackPopRm = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            StackOps.popRm(c, i);
        }
    };

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

    static final Exec movBswap = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            MovOps.bswap(c, i);
        }
    };
}
