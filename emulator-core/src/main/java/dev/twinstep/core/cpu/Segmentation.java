package dev.twinstep.core.cpu;

/**
 * Segment register loads and far control transfers: descriptor fetch and every protected-mode check
 * (#GP/#NP/#SS/#TS with selector error codes), conforming and non-conforming code, call gates,
 * privilege changes with the TSS stack switch, task gates and IRET with NT. The protected-mode far
 * transfers live in {@link GateTransfer}, task switches in {@link TaskSwitch}.
 *
 * <p>Callers set {@link Cpu#nextEip} as the return address before a far call. Virtual-8086 mode is
 * not supported: segment loads follow the real-mode rule only when CR0.PE is clear.
 */
public final class Segmentation {
    private final Cpu cpu;
    final DescriptorTable table;
    final TaskSwitch taskSwitch;
    private final GateTransfer transfer;

    Segmentation(Cpu cpu) {
        this.cpu = cpu;
        this.table = new DescriptorTable(cpu);
        this.taskSwitch = new TaskSwitch(cpu, table);
        this.transfer = new GateTransfer(cpu, table, taskSwitch);
    }

    private boolean protectedMode() {
        return cpu.protectedMode() && (cpu.eflags & Cpu.VM) == 0;
    }

    /** MOV Sreg / POP Sreg / LDS... : loads a data or stack segment register (not CS). */
    public void loadSegment(int seg, int selector) {
        selector &= 0xFFFF;
        if (!protectedMode()) {
            loadRealMode(seg, selector);
        } else if (seg == Cpu.SS) {
            loadStackSegment(selector, CpuException.GP, CpuException.SS, 0);
        } else {
            loadDataSegment(seg, selector, CpuException.GP, 0);
        }
    }

    /**
     * Real-mode (and V86) style load: base = selector * 16, limit and attributes keep their cached
     * values, except that a register left unusable by a protected-mode null load becomes a usable
     * 64 KiB read/write segment again.
     */
    public void loadRealMode(int seg, int selector) {
        selector &= 0xFFFF;
        cpu.segSel[seg] = selector;
        cpu.segBase[seg] = selector << 4;
        if ((cpu.segAttr[seg] & Cpu.ATTR_UNUSABLE) != 0) {
            cpu.segAttr[seg] = Cpu.ATTR_P | Cpu.ATTR_S | 0x3;
            cpu.segLimit[seg] = 0xFFFF;
        }
    }

    /**
     * DS/ES/FS/GS load with the protected-mode checks; failures raise {@code vector(selector | ext)}
     * ({@code ext} is 1 only inside a task switch caused by an external event).
     */
    void loadDataSegment(int seg, int selector, int vector, int ext) {
        if ((selector & 0xFFFC) == 0) {
            table.loadNull(seg, selector);
            return;
        }
        int code = (selector & 0xFFFC) | ext;
        long descriptor = table.read(selector, vector, code);
        if (!DescriptorTable.isReadable(descriptor)) {
            throw cpu.fault(vector, code);
        }
        int dpl = DescriptorTable.dpl(descriptor);
        if (!DescriptorTable.isConforming(descriptor) && Math.max(cpu.cpl, selector & 3) > dpl) {
            throw cpu.fault(vector, code);
        }
        if (!DescriptorTable.present(descriptor)) {
            throw cpu.fault(CpuException.NP, code);
        }
        table.setAccessed(selector, descriptor);
        table.loadCache(seg, selector, descriptor);
    }

    /** SS load with the protected-mode checks; not present raises {@code notPresentVector(selector | ext)}. */
    void loadStackSegment(int selector, int vector, int notPresentVector, int ext) {
        int code = (selector & 0xFFFC) | ext;
        if ((selector & 0xFFFC) == 0) {
            throw cpu.fault(vector, ext);
        }
        long descriptor = table.read(selector, vector, code);
        if ((selector & 3) != cpu.cpl || !DescriptorTable.isWritableData(descriptor)
                || DescriptorTable.dpl(descriptor) != cpu.cpl) {
            throw cpu.fault(vector, code);
        }
        if (!DescriptorTable.present(descriptor)) {
            throw cpu.fault(notPresentVector, code);
        }
        table.setAccessed(selector, descriptor);
        table.loadCache(Cpu.SS, selector, descriptor);
    }

    /** JMP ptr16:16/32 or JMP m16:16/32. Sets CS and nextEip. */
    public void farJump(int selector, int offset, boolean operand32) {
        if (!protectedMode()) {
            loadRealMode(Cpu.CS, selector);
            cpu.nextEip = operand32 ? offset : offset & 0xFFFF;
            return;
        }
        transfer.farJump(selector & 0xFFFF, operand32 ? offset : offset & 0xFFFF);
    }

    /** CALL ptr/m16:16/32: pushes CS and the return offset ({@link Cpu#nextEip}), then transfers. */
    public void farCall(int selector, int offset, boolean operand32) {
        if (!protectedMode()) {
            if (operand32) {
                cpu.push32(cpu.segSel[Cpu.CS]);
                cpu.push32(cpu.nextEip);
            } else {
                cpu.push16(cpu.segSel[Cpu.CS]);
                cpu.push16(cpu.nextEip);
            }
            loadRealMode(Cpu.CS, selector);
            cpu.nextEip = operand32 ? offset : offset & 0xFFFF;
            return;
        }
        transfer.farCall(selector & 0xFFFF, operand32 ? offset : offset & 0xFFFF, operand32);
    }

    /** RETF [imm16]: pops offset and CS, then releases {@code popBytes} of parameters. */
    public void farReturn(int popBytes, boolean operand32) {
        if (!protectedMode()) {
            int offset = operand32 ? cpu.pop32() : cpu.pop16();
            int selector = (operand32 ? cpu.pop32() : cpu.pop16()) & 0xFFFF;
            loadRealMode(Cpu.CS, selector);
            cpu.nextEip = offset;
            cpu.setSp((cpu.stack32() ? cpu.regs[Cpu.ESP] : cpu.regs[Cpu.ESP] & 0xFFFF) + popBytes);
            return;
        }
        transfer.farReturn(popBytes, operand32);
    }

    /** IRET/IRETD. */
    public void interruptReturn(boolean operand32) {
        if (!protectedMode()) {
            int offset = operand32 ? cpu.pop32() : cpu.pop16();
            int selector = (operand32 ? cpu.pop32() : cpu.pop16()) & 0xFFFF;
            int old = cpu.getEflags();
            // SDM IRET, real-address mode: IRETD loads the bits of 0x257FD5 and keeps VM/VIF/VIP;
            // IRET loads FLAGS[15:0]. IOPL and NT are loaded (a 286 would keep them clear).
            int flags = operand32 ? (cpu.pop32() & 0x257FD5) | (old & 0x1A0000) : (old & 0xFFFF0000) | cpu.pop16();
            loadRealMode(Cpu.CS, selector);
            cpu.nextEip = offset;
            cpu.setEflags(flags);
            return;
        }
        transfer.interruptReturn(operand32);
    }

    /** LLDT: #UD in real mode, #GP(0) above CPL 0, then the LDT descriptor checks. */
    public void loadLdt(int selector) {
        requireProtectedModeAtCpl0();
        selector &= 0xFFFF;
        if ((selector & 0xFFFC) == 0) {
            cpu.ldtrSel = selector;
            cpu.ldtrBase = 0;
            cpu.ldtrLimit = 0;
            cpu.ldtrAttr = Cpu.ATTR_UNUSABLE;
            return;
        }
        int code = selector & 0xFFFC;
        if ((selector & 4) != 0) {
            throw cpu.fault(CpuException.GP, code);
        }
        long descriptor = table.read(selector, CpuException.GP, code);
        if (DescriptorTable.isSegment(descriptor) || DescriptorTable.type(descriptor) != DescriptorTable.LDT) {
            throw cpu.fault(CpuException.GP, code);
        }
        if (!DescriptorTable.present(descriptor)) {
            throw cpu.fault(CpuException.NP, code);
        }
        cpu.ldtrSel = selector;
        cpu.ldtrBase = DescriptorTable.base(descriptor);
        cpu.ldtrLimit = DescriptorTable.limit(descriptor);
        cpu.ldtrAttr = DescriptorTable.attributes(descriptor);
    }

    /** LTR: #UD in real mode, #GP(0) above CPL 0; loads an available TSS and marks it busy. */
    public void loadTaskRegister(int selector) {
        requireProtectedModeAtCpl0();
        selector &= 0xFFFF;
        int code = selector & 0xFFFC;
        if (code == 0) {
            throw cpu.fault(CpuException.GP, 0);
        }
        if ((selector & 4) != 0) {
            throw cpu.fault(CpuException.GP, code);
        }
        long descriptor = table.read(selector, CpuException.GP, code);
        int type = DescriptorTable.type(descriptor);
        if (DescriptorTable.isSegment(descriptor)
                || (type != DescriptorTable.TSS16_AVAILABLE && type != DescriptorTable.TSS32_AVAILABLE)) {
            throw cpu.fault(CpuException.GP, code);
        }
        if (!DescriptorTable.present(descriptor)) {
            throw cpu.fault(CpuException.NP, code);
        }
        taskSwitch.setBusy(selector, descriptor, true);
        cpu.trSel = selector;
        cpu.trBase = DescriptorTable.base(descriptor);
        cpu.trLimit = DescriptorTable.limit(descriptor);
        cpu.trAttr = DescriptorTable.attributes(descriptor) | 2;
    }

    private void requireProtectedModeAtCpl0() {
        if (!protectedMode()) {
            throw cpu.fault(CpuException.UD);
        }
        if (cpu.cpl != 0) {
            throw cpu.fault(CpuException.GP, 0);
        }
    }

    /**
     * The descriptor a LAR/LSL/VERR/VERW may look at, or 0 when the selector is null, beyond its
     * table, or not visible at max(CPL, RPL) (conforming code is always visible).
     */
    private long visibleDescriptor(int selector) {
        if (!protectedMode()) {
            throw cpu.fault(CpuException.UD);
        }
        selector &= 0xFFFF;
        if ((selector & 0xFFFC) == 0) {
            return 0;
        }
        int address = table.address(selector);
        if (address == 1) {
            return 0;
        }
        long descriptor = table.readAt(address);
        if (!DescriptorTable.isConforming(descriptor)
                && Math.max(cpu.cpl, selector & 3) > DescriptorTable.dpl(descriptor)) {
            return 0;
        }
        return descriptor;
    }

    /** LAR: the access-rights dword (descriptor high dword & 0x00F0FF00), or -1 when ZF must be cleared. */
    public int lar(int selector) {
        long descriptor = visibleDescriptor(selector);
        if (descriptor == 0) {
            return -1;
        }
        if (!DescriptorTable.isSegment(descriptor)) {
            int type = DescriptorTable.type(descriptor);
            if (type == 0 || type == 8 || type == 0xA || type == 0xD
                    || (type & 7) == DescriptorTable.INTERRUPT_GATE16 || (type & 7) == DescriptorTable.TRAP_GATE16) {
                return -1;
            }
        }
        return DescriptorTable.high(descriptor) & 0x00F0FF00;
    }

    /** LSL: the byte-granular limit, or -1L when ZF must be cleared. */
    public long lsl(int selector) {
        long descriptor = visibleDescriptor(selector);
        if (descriptor == 0) {
            return -1L;
        }
        if (!DescriptorTable.isSegment(descriptor)) {
            int type = DescriptorTable.type(descriptor);
            boolean tssOrLdt = type == DescriptorTable.TSS16_AVAILABLE || type == DescriptorTable.LDT
                    || type == DescriptorTable.TSS16_BUSY || type == DescriptorTable.TSS32_AVAILABLE
                    || type == DescriptorTable.TSS32_BUSY;
            if (!tssOrLdt) {
                return -1L;
            }
        }
        return DescriptorTable.limit(descriptor) & 0xFFFFFFFFL;
    }

    /** VERR: a readable code or data segment visible at max(CPL, RPL). */
    public boolean verr(int selector) {
        long descriptor = visibleDescriptor(selector);
        return descriptor != 0 && DescriptorTable.isReadable(descriptor);
    }

    /** VERW: a writable data segment visible at max(CPL, RPL). */
    public boolean verw(int selector) {
        long descriptor = visibleDescriptor(selector);
        return descriptor != 0 && DescriptorTable.isWritableData(descriptor);
    }

    /**
     * IN/OUT/INS/OUTS permission: in protected mode with CPL > IOPL, consult the TSS I/O bitmap and
     * raise #GP(0) if any of the {@code size} ports is denied (or the bitmap is missing or short).
     */
    public void checkIoPermission(int port, int size) {
        if (!cpu.protectedMode() || (cpu.cpl <= cpu.iopl() && (cpu.eflags & Cpu.VM) == 0)) {
            return;
        }
        if (!table.tss32() || Integer.compareUnsigned(cpu.trLimit, 0x67) < 0) {
            throw cpu.fault(CpuException.GP, 0);
        }
        int bitmap = cpu.mmu.readSystem16(cpu.trBase + 0x66);
        int at = bitmap + (port >>> 3);
        if (Integer.compareUnsigned(at + 1, cpu.trLimit) > 0) {
            throw cpu.fault(CpuException.GP, 0);
        }
        int bits = cpu.mmu.readSystem16(cpu.trBase + at);
        int mask = ((1 << size) - 1) << (port & 7);
        if ((bits & mask) != 0) {
            throw cpu.fault(CpuException.GP, 0);
        }
    }
}
