package dev.twinstep.core.cpu;

/**
 * Flag instructions, system and privileged instructions: CLC..STD, CLI/STI, descriptor-table
 * registers, LLDT/LTR/SLDT/STR, LAR/LSL/VERR/VERW, ARPL, control and debug registers, LMSW/SMSW,
 * CLTS, INVLPG, INVD/WBINVD, CPUID, RDTSC, RDMSR/WRMSR, BOUND, WAIT, the x87 escapes (#NM),
 * and the #UD / #GP handlers for invalid encodings.
 */
final class SystemOps {
    static final int MSR_TSC = 0x10, MSR_APIC_BASE = 0x1B;

    private SystemOps() {
    }

    static void invalidOpcode(Cpu c, Insn i) {
        throw c.fault(CpuException.UD);
    }

    static void generalProtection(Cpu c, Insn i) {
        throw c.fault(CpuException.GP, 0);
    }

    /** Privileged instructions: #GP(0) unless CPL 0 (real mode counts as CPL 0). */
    static void requireCpl0(Cpu c) {
        if (c.protectedMode() && c.cpl != 0) {
            throw c.fault(CpuException.GP, 0);
        }
    }

    private static void requireProtectedMode(Cpu c) {
        if (!c.protectedMode() || (c.eflags & Cpu.VM) != 0) {
            throw c.fault(CpuException.UD);
        }
    }

    // ---------------------------------------------------------------- flags

    static void clc(Cpu c, Insn i) {
        c.setFlag(Cpu.CF, false);
    }

    static void stc(Cpu c, Insn i) {
        c.setFlag(Cpu.CF, true);
    }

    static void cmc(Cpu c, Insn i) {
        c.setFlag(Cpu.CF, !c.cf());
    }

    static void cld(Cpu c, Insn i) {
        c.eflags &= ~Cpu.DF;
    }

    static void std(Cpu c, Insn i) {
        c.eflags |= Cpu.DF;
    }

    static void cli(Cpu c, Insn i) {
        if (c.protectedMode() && c.cpl > c.iopl()) {
            throw c.fault(CpuException.GP, 0);
        }
        c.eflags &= ~Cpu.IF;
    }

    static void sti(Cpu c, Insn i) {
        if (c.protectedMode() && c.cpl > c.iopl()) {
            throw c.fault(CpuException.GP, 0);
        }
        if ((c.eflags & Cpu.IF) == 0) {
            c.interruptShadow = true;
        }
        c.eflags |= Cpu.IF;
    }

    // ---------------------------------------------------------------- misc

    /** 9B: WAIT — #NM when CR0.MP and CR0.TS are both set; otherwise nothing (no FPU). */
    static void fwait(Cpu c, Insn i) {
        if ((c.cr0 & (Cpu.CR0_MP | Cpu.CR0_TS)) == (Cpu.CR0_MP | Cpu.CR0_TS)) {
            throw c.fault(CpuException.NM);
        }
    }

    /** D8-DF: no FPU, so every escape raises #NM. */
    static void fpuEscape(Cpu c, Insn i) {
        throw c.fault(CpuException.NM);
    }

    /** 62: BOUND r, m16&16 / m32&32 — #BR when the signed index is outside [lower, upper]. */
    static void bound(Cpu c, Insn i) {
        int off = i.ea(c);
        int index, lower, upper;
        if (i.o32) {
            index = c.regs[i.reg];
            lower = c.mmu.read32(i.seg, off);
            upper = c.mmu.read32(i.seg, i.addr16 ? (off + 4) & 0xFFFF : off + 4);
        } else {
            index = (short) c.regs[i.reg];
            lower = (short) c.mmu.read16(i.seg, off);
            upper = (short) c.mmu.read16(i.seg, i.addr16 ? (off + 2) & 0xFFFF : off + 2);
        }
        if (index < lower || index > upper) {
            throw c.fault(CpuException.BR);
        }
    }

    /** 63: ARPL r/m16, r16 (protected mode only). */
    static void arpl(Cpu c, Insn i) {
        requireProtectedMode(c);
        int off = i.mem ? i.ea(c) : 0;
        int dest = i.mem ? c.mmu.read16(i.seg, off) : c.regs[i.rm] & 0xFFFF;
        int src = c.regs[i.reg] & 3;
        if ((dest & 3) < src) {
            dest = (dest & ~3) | src;
            if (i.mem) {
                c.mmu.write16(i.seg, off, dest);
            } else {
                c.setReg16(i.rm, dest);
            }
            c.setFlag(Cpu.ZF, true);
        } else {
            c.setFlag(Cpu.ZF, false);
        }
    }

    // ---------------------------------------------------------------- CPUID, TSC, MSRs

    /** 0F A2 */
    static void cpuid(Cpu c, Insn i) {
        int leaf = c.regs[Cpu.EAX];
        int a = 0, b = 0, cx = 0, d = 0;
        if (leaf == 0) {
            a = 1;
            b = 0x756E6547; // "Genu"
            d = 0x49656E69; // "ineI"
            cx = 0x6C65746E; // "ntel"
        } else if (leaf == 1) {
            a = 0x00000633; // family 6, model 3, stepping 3
            // PSE(3) TSC(4) MSR(5) CX8(8) CMOV(15); APIC(9) when the platform wired a local APIC; no FPU, no VME.
            d = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 15) | (c.localApicPresent ? 1 << 9 : 0);
        } else if (leaf == 0x80000000) {
            a = 0x80000000;
        }
        c.regs[Cpu.EAX] = a;
        c.regs[Cpu.EBX] = b;
        c.regs[Cpu.ECX] = cx;
        c.regs[Cpu.EDX] = d;
    }

    /** 0F 31: RDTSC — the instruction count, so it is deterministic; #GP(0) with CR4.TSD above CPL 0. */
    static void rdtsc(Cpu c, Insn i) {
        if ((c.cr4 & Cpu.CR4_TSD) != 0 && c.protectedMode() && c.cpl != 0) {
            throw c.fault(CpuException.GP, 0);
        }
        c.syncInstructionCount(i);
        long tsc = c.instructionCount + c.tscOffset;
        c.regs[Cpu.EAX] = (int) tsc;
        c.regs[Cpu.EDX] = (int) (tsc >>> 32);
    }

    /** 0F 32 */
    static void rdmsr(Cpu c, Insn i) {
        requireCpl0(c);
        long v;
        switch (c.regs[Cpu.ECX]) {
            case MSR_TSC:
                c.syncInstructionCount(i);
                v = c.instructionCount + c.tscOffset;
                break;
            case MSR_APIC_BASE:
                v = c.apicBaseMsr;
                break;
            default:
                throw c.fault(CpuException.GP, 0);
        }
        c.regs[Cpu.EAX] = (int) v;
        c.regs[Cpu.EDX] = (int) (v >>> 32);
    }

    /** 0F 30 */
    static void wrmsr(Cpu c, Insn i) {
        requireCpl0(c);
        long v = ((long) c.regs[Cpu.EDX] << 32) | (c.regs[Cpu.EAX] & 0xFFFFFFFFL);
        switch (c.regs[Cpu.ECX]) {
            case MSR_TSC:
                c.syncInstructionCount(i);
                c.tscOffset = v - c.instructionCount;
                break;
            case MSR_APIC_BASE:
                c.apicBaseMsr = v & 0xFFFFF900L;
                break;
            default:
                throw c.fault(CpuException.GP, 0);
        }
    }

    // ---------------------------------------------------------------- cache and TLB

    /** 0F 08 INVD, 0F 09 WBINVD: no caches are modelled. */
    static void invd(Cpu c, Insn i) {
        requireCpl0(c);
    }

    /** 0F 01 /7 */
    static void invlpg(Cpu c, Insn i) {
        c.codeEpoch++;
        requireCpl0(c);
        c.mmu.invalidatePage(c.segBase[i.seg] + i.ea(c));
    }

    static void ud2(Cpu c, Insn i) {
        throw c.fault(CpuException.UD);
    }
}
