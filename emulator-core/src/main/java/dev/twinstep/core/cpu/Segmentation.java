package dev.twinstep.core.cpu;

/**
 * Segment register loads and far control transfers: descriptor fetch and every protected-mode check
 * (#GP/#NP/#SS/#TS with selector error codes), conforming and non-conforming code, call gates,
 * privilege changes with the TSS stack switch, task gates and IRET with NT.
 *
 * <p>SKELETON: real-mode behaviour only. The protected-mode owner fills in the rest and keeps the
 * signatures. Callers set {@link Cpu#nextEip} as the return address before a far call.
 */
public final class Segmentation {
    private final Cpu cpu;

    Segmentation(Cpu cpu) {
        this.cpu = cpu;
    }

    /** MOV Sreg / POP Sreg / LDS... : loads a data or stack segment register (not CS). */
    public void loadSegment(int seg, int selector) {
        loadRealMode(seg, selector);
    }

    /** Real-mode (and V86) style load: base = selector * 16, attributes untouched. */
    public void loadRealMode(int seg, int selector) {
        selector &= 0xFFFF;
        cpu.segSel[seg] = selector;
        cpu.segBase[seg] = selector << 4;
    }

    /** JMP ptr16:16/32 or JMP m16:16/32. Sets CS and nextEip. */
    public void farJump(int selector, int offset, boolean operand32) {
        loadRealMode(Cpu.CS, selector);
        cpu.nextEip = operand32 ? offset : offset & 0xFFFF;
    }

    /** CALL ptr/m16:16/32: pushes CS and the return offset ({@link Cpu#nextEip}), then transfers. */
    public void farCall(int selector, int offset, boolean operand32) {
        if (operand32) {
            cpu.push32(cpu.segSel[Cpu.CS]);
            cpu.push32(cpu.nextEip);
        } else {
            cpu.push16(cpu.segSel[Cpu.CS]);
            cpu.push16(cpu.nextEip);
        }
        loadRealMode(Cpu.CS, selector);
        cpu.nextEip = operand32 ? offset : offset & 0xFFFF;
    }

    /** RETF [imm16]: pops offset and CS, then releases {@code popBytes} of parameters. */
    public void farReturn(int popBytes, boolean operand32) {
        int offset = operand32 ? cpu.pop32() : cpu.pop16();
        int selector = (operand32 ? cpu.pop32() : cpu.pop16()) & 0xFFFF;
        loadRealMode(Cpu.CS, selector);
        cpu.nextEip = offset;
        cpu.setSp((cpu.stack32() ? cpu.regs[Cpu.ESP] : cpu.regs[Cpu.ESP] & 0xFFFF) + popBytes);
    }

    /** IRET/IRETD. */
    public void interruptReturn(boolean operand32) {
        int offset = operand32 ? cpu.pop32() : cpu.pop16();
        int selector = (operand32 ? cpu.pop32() : cpu.pop16()) & 0xFFFF;
        int flags = operand32 ? cpu.pop32() : (cpu.getEflags() & 0xFFFF0000) | cpu.pop16();
        loadRealMode(Cpu.CS, selector);
        cpu.nextEip = offset;
        // Real mode: IOPL and NT cannot be changed (they read back as written on 386, but the
        // 80286 vectors require them clear; the protected-mode owner decides the final rule).
        cpu.setEflags((flags & ~(Cpu.IOPL | Cpu.NT | Cpu.VM | Cpu.RF)) | (cpu.getEflags() & (Cpu.VM)));
    }

    /** LLDT. */
    public void loadLdt(int selector) {
        throw cpu.fault(CpuException.UD);
    }

    /** LTR. */
    public void loadTaskRegister(int selector) {
        throw cpu.fault(CpuException.UD);
    }

    /** LAR: the access-rights dword (descriptor high dword & 0x00F0FF00), or -1 when ZF must be cleared. */
    public int lar(int selector) {
        return -1;
    }

    /** LSL: the byte-granular limit, or -1L when ZF must be cleared. */
    public long lsl(int selector) {
        return -1L;
    }

    public boolean verr(int selector) {
        return false;
    }

    public boolean verw(int selector) {
        return false;
    }

    /**
     * IN/OUT/INS/OUTS permission: in protected mode with CPL > IOPL, consult the TSS I/O bitmap and
     * raise #GP(0) if any of the {@code size} ports is denied.
     */
    public void checkIoPermission(int port, int size) {
    }
}
