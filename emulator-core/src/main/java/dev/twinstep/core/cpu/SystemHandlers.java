package dev.twinstep.core.cpu;

/**
 * One {@link Exec} subclass instance per instruction handler (flag, system-register and privileged-instruction handlers). Each
 * handler being its own subclass makes the interpreter's dispatch a virtual call (a vtable load),
 * measurably cheaper than the interface call a method reference would need.
 */
final class SystemHandlers {
    private SystemHandlers() {
    }

    static final Exec systemFpuEscape = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.fpuEscape(c, i);
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

    static final Exec systemFwait = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.fwait(c, i);
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

    static final Exec systemCpuid = new Exec() {
        @Override
        public void run(Cpu c, Insn i) {
            SystemOps.cpuid(c, i);
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
}
