package dev.twinstep.core.cpu;

/**
 * Delivery of exceptions, software interrupts and external interrupts: the real-mode IVT, and in
 * protected mode the IDT with interrupt, trap and task gates, privilege checks, the stack switch
 * through the TSS, error codes with the EXT bit, double fault and triple fault (shutdown).
 *
 * <p>Delivery is all-or-nothing up to the point where registers change: descriptors are checked and
 * the whole frame is probed before CS, SS, ESP, CPL or EFLAGS are touched, so an exception during
 * delivery finds the interrupted context intact and can be delivered (or promoted to #DF) from it.
 * Virtual-8086 mode is not supported (EFLAGS.VM is only cleared).
 */
public final class Interrupts {
    /** What caused the interrupt; decides privilege checks (INT n vs. exception) and EXT in error codes. */
    public static final int EXCEPTION = 0, SOFTWARE = 1, EXTERNAL = 2;

    private final Cpu cpu;

    Interrupts(Cpu cpu) {
        this.cpu = cpu;
    }

    /**
     * Delivers {@code vector}. The return address pushed is {@link Cpu#nextEip}: the caller sets it to
     * the faulting instruction (faults) or the next one (traps, INT n, external interrupts).
     * On return, CS:nextEip is the handler. An exception raised while delivering is itself delivered
     * (serially, or as #DF per SDM table 6-5); a fault while delivering #DF shuts the machine down.
     *
     * @throws MachineHalt on a triple fault
     */
    public void deliver(int vector, int kind, boolean hasErrorCode, int errorCode) {
        cpu.halted = false;
        int returnEip = cpu.nextEip;
        try {
            deliverOnce(vector, kind, hasErrorCode, errorCode);
        } catch (CpuException e) {
            int second = e.vector;
            boolean secondHasCode = e.hasErrorCode;
            int secondCode = e.errorCode;
            // The second exception is a fault of the instruction that raised the first event (INT n)
            // or of the interrupted instruction boundary.
            cpu.nextEip = kind == SOFTWARE ? cpu.eip : returnEip;
            if (vector == CpuException.DF) {
                throw tripleFault(second, secondCode, "during delivery of #DF");
            }
            if (kind == EXCEPTION && causesDoubleFault(vector, second)) {
                try {
                    deliverOnce(CpuException.DF, EXCEPTION, true, 0);
                } catch (CpuException again) {
                    throw tripleFault(again.vector, again.errorCode,
                            "during delivery of #DF for vector " + second + " after vector " + vector);
                }
                return;
            }
            deliver(second, EXCEPTION, secondHasCode, secondCode);
        }
    }

    private static boolean contributory(int vector) {
        return vector == CpuException.DE || (vector >= CpuException.TS && vector <= CpuException.GP);
    }

    private static boolean causesDoubleFault(int first, int second) {
        if (contributory(first)) {
            return contributory(second);
        }
        if (first == CpuException.PF) {
            return contributory(second) || second == CpuException.PF;
        }
        return false;
    }

    private MachineHalt tripleFault(int vector, int errorCode, String context) {
        return new MachineHalt(MachineHalt.Kind.SHUTDOWN, 0, String.format(
                "triple fault: vector %d (error 0x%x) %s at CS:EIP %04x:%08x (CPL %d, CR0 %08x, CR2 %08x)",
                vector, errorCode, context, cpu.segSel[Cpu.CS], cpu.eip, cpu.cpl, cpu.cr0, cpu.cr2));
    }

    private void deliverOnce(int vector, int kind, boolean hasErrorCode, int errorCode) {
        if (cpu.protectedMode()) {
            deliverProtected(vector, kind, hasErrorCode, errorCode);
        } else {
            deliverReal(vector);
        }
    }

    private void deliverReal(int vector) {
        int ivt = vector * 4;
        if (Integer.compareUnsigned(ivt + 3, cpu.idtrLimit) > 0) {
            throw cpu.fault(CpuException.GP, 0);
        }
        int offset = cpu.mmu.readSystem16(cpu.idtrBase + ivt);
        int selector = cpu.mmu.readSystem16(cpu.idtrBase + ivt + 2);
        cpu.push16(cpu.getEflags());
        cpu.push16(cpu.segSel[Cpu.CS]);
        cpu.push16(cpu.nextEip);
        cpu.setEflags(cpu.getEflags() & ~(Cpu.IF | Cpu.TF | Cpu.AC | Cpu.RF));
        cpu.segmentation.loadRealMode(Cpu.CS, selector);
        cpu.nextEip = offset;
    }

    private void deliverProtected(int vector, int kind, boolean hasErrorCode, int errorCode) {
        DescriptorTable table = cpu.segmentation.table;
        int ext = kind == SOFTWARE ? 0 : 1;
        int idtCode = vector * 8 + 2 + ext;
        if (Integer.compareUnsigned(vector * 8 + 7, cpu.idtrLimit) > 0) {
            throw cpu.fault(CpuException.GP, idtCode);
        }
        long gate = table.readAt(cpu.idtrBase + vector * 8);
        int type = DescriptorTable.type(gate);
        boolean validGate = !DescriptorTable.isSegment(gate) && (type == DescriptorTable.TASK_GATE
                || (type & 7) == DescriptorTable.INTERRUPT_GATE16 || (type & 7) == DescriptorTable.TRAP_GATE16);
        if (!validGate) {
            throw cpu.fault(CpuException.GP, idtCode);
        }
        if (kind == SOFTWARE && DescriptorTable.dpl(gate) < cpu.cpl) {
            throw cpu.fault(CpuException.GP, vector * 8 + 2);
        }
        if (!DescriptorTable.present(gate)) {
            throw cpu.fault(CpuException.NP, idtCode);
        }
        if (type == DescriptorTable.TASK_GATE) {
            cpu.segmentation.taskSwitch.throughTaskGate(DescriptorTable.gateSelector(gate), TaskSwitch.INTERRUPT, ext);
            if (hasErrorCode) {
                if (cpu.segmentation.table.tss32()) {
                    cpu.push32(errorCode);
                } else {
                    cpu.push16(errorCode);
                }
            }
            return;
        }
        deliverThroughGate(gate, ext, hasErrorCode, errorCode);
    }

    private void deliverThroughGate(long gate, int ext, boolean hasErrorCode, int errorCode) {
        DescriptorTable table = cpu.segmentation.table;
        int type = DescriptorTable.type(gate);
        boolean gate32 = (type & 8) != 0;
        int width = gate32 ? 4 : 2;
        int selector = DescriptorTable.gateSelector(gate);
        int offset = DescriptorTable.gateOffset(gate);
        if ((selector & 0xFFFC) == 0) {
            throw cpu.fault(CpuException.GP, ext);
        }
        int selectorCode = (selector & 0xFFFC) | ext;
        long code = table.read(selector, CpuException.GP, selectorCode);
        int dpl = DescriptorTable.dpl(code);
        if (!DescriptorTable.isCode(code) || dpl > cpu.cpl) {
            throw cpu.fault(CpuException.GP, selectorCode);
        }
        if (!DescriptorTable.present(code)) {
            throw cpu.fault(CpuException.NP, selectorCode);
        }
        if (Integer.compareUnsigned(offset, DescriptorTable.limit(code)) > 0) {
            throw cpu.fault(CpuException.GP, ext);
        }
        int flags = cpu.getEflags();
        int[] frame = table.frame();
        int n = 0;
        if (!DescriptorTable.isConforming(code) && dpl < cpu.cpl) {
            long stack = table.innerStack(dpl, ext);
            int newSs = (int) (stack >>> 32) & 0xFFFF;
            int newEsp = (int) stack;
            long ssDescriptor = table.checkInnerStackSegment(newSs, dpl, ext);
            frame[n++] = cpu.segSel[Cpu.SS];
            frame[n++] = cpu.regs[Cpu.ESP];
            frame[n++] = flags;
            frame[n++] = cpu.segSel[Cpu.CS];
            frame[n++] = cpu.nextEip;
            if (hasErrorCode) {
                frame[n++] = errorCode;
            }
            int esp = table.pushFrame(DescriptorTable.base(ssDescriptor), DescriptorTable.limit(ssDescriptor),
                    DescriptorTable.attributes(ssDescriptor), newEsp, n, width, false, (newSs & 0xFFFC) | ext);
            table.setAccessed(newSs, ssDescriptor);
            table.loadCache(Cpu.SS, newSs, ssDescriptor);
            cpu.regs[Cpu.ESP] = esp;
            cpu.cpl = dpl;
        } else {
            frame[n++] = flags;
            frame[n++] = cpu.segSel[Cpu.CS];
            frame[n++] = cpu.nextEip;
            if (hasErrorCode) {
                frame[n++] = errorCode;
            }
            int esp = table.pushFrame(cpu.segBase[Cpu.SS], cpu.segLimit[Cpu.SS], cpu.segAttr[Cpu.SS],
                    cpu.regs[Cpu.ESP], n, width, cpu.cpl == 3, ext);
            cpu.setSp(esp);
        }
        table.setAccessed(selector, code);
        table.loadCache(Cpu.CS, (selector & 0xFFFC) | cpu.cpl, code);
        int clear = Cpu.TF | Cpu.NT | Cpu.RF | Cpu.VM;
        if ((type & 7) == DescriptorTable.INTERRUPT_GATE16) {
            clear |= Cpu.IF;
        }
        cpu.setEflags(flags & ~clear);
        cpu.nextEip = gate32 ? offset : offset & 0xFFFF;
    }
}
