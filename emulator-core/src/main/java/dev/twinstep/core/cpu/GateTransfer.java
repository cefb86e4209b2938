package dev.twinstep.core.cpu;

/**
 * Protected-mode far JMP, CALL, RET and IRET: direct transfers to conforming and non-conforming
 * code, call gates (16- and 32-bit) with the inner-stack switch and parameter copy, returns to an
 * outer level (reloading SS:ESP and nulling data segments the outer level may not see), TSS
 * descriptors and task gates (handed to {@link TaskSwitch}), and the IRET flag rules.
 * Every check happens before the first register changes. No virtual-8086 mode: IRET ignores VM.
 */
final class GateTransfer {
    private static final int[] DATA_SEGMENTS = {Cpu.ES, Cpu.DS, Cpu.FS, Cpu.GS};

    private final Cpu cpu;
    private final DescriptorTable table;
    private final TaskSwitch taskSwitch;

    GateTransfer(Cpu cpu, DescriptorTable table, TaskSwitch taskSwitch) {
        this.cpu = cpu;
        this.table = table;
        this.taskSwitch = taskSwitch;
    }

    private CpuException gp(int code) {
        return cpu.fault(CpuException.GP, code);
    }

    /** Reads the far target's descriptor: null selector is #GP(0), beyond the table #GP(selector). */
    private long target(int selector) {
        if ((selector & 0xFFFC) == 0) {
            throw gp(0);
        }
        return table.read(selector, CpuException.GP, selector & 0xFFFC);
    }

    /** Code segment checks for a direct JMP/CALL (no privilege change possible). */
    private void checkDirectCode(int selector, long code) {
        int dpl = DescriptorTable.dpl(code);
        if (DescriptorTable.isConforming(code) ? dpl > cpu.cpl : (selector & 3) > cpu.cpl || dpl != cpu.cpl) {
            throw gp(selector & 0xFFFC);
        }
        if (!DescriptorTable.present(code)) {
            throw cpu.fault(CpuException.NP, selector & 0xFFFC);
        }
    }

    private void checkOffset(int offset, long code) {
        if (Integer.compareUnsigned(offset, DescriptorTable.limit(code)) > 0) {
            throw gp(0);
        }
    }

    private void loadCs(int selector, long code, int cpl) {
        table.setAccessed(selector, code);
        table.loadCache(Cpu.CS, (selector & 0xFFFC) | cpl, code);
        cpu.cpl = cpl;
    }

    /** Gate or TSS descriptor reached by JMP/CALL: DPL >= max(CPL, RPL) and present. */
    private void checkSystemTarget(int selector, long descriptor) {
        int dpl = DescriptorTable.dpl(descriptor);
        if (dpl < cpu.cpl || dpl < (selector & 3)) {
            throw gp(selector & 0xFFFC);
        }
        if (!DescriptorTable.present(descriptor)) {
            throw cpu.fault(CpuException.NP, selector & 0xFFFC);
        }
    }

    /** The code segment a call gate points to: #GP(sel) for non-code or DPL > CPL, #NP(sel). */
    private long gateTargetCode(int codeSelector) {
        long code = target(codeSelector);
        if (!DescriptorTable.isCode(code) || DescriptorTable.dpl(code) > cpu.cpl) {
            throw gp(codeSelector & 0xFFFC);
        }
        if (!DescriptorTable.present(code)) {
            throw cpu.fault(CpuException.NP, codeSelector & 0xFFFC);
        }
        return code;
    }

    void farJump(int selector, int offset) {
        long descriptor = target(selector);
        if (DescriptorTable.isSegment(descriptor)) {
            if (!DescriptorTable.isCode(descriptor)) {
                throw gp(selector & 0xFFFC);
            }
            checkDirectCode(selector, descriptor);
            checkOffset(offset, descriptor);
            loadCs(selector, descriptor, cpu.cpl);
            cpu.nextEip = offset;
            return;
        }
        int type = DescriptorTable.type(descriptor);
        switch (type) {
            case DescriptorTable.CALL_GATE16, DescriptorTable.CALL_GATE32 -> {
                checkSystemTarget(selector, descriptor);
                int codeSelector = DescriptorTable.gateSelector(descriptor);
                long code = gateTargetCode(codeSelector);
                if (!DescriptorTable.isConforming(code) && DescriptorTable.dpl(code) != cpu.cpl) {
                    throw gp(codeSelector & 0xFFFC);
                }
                int target = DescriptorTable.gateOffset(descriptor);
                checkOffset(target, code);
                loadCs(codeSelector, code, cpu.cpl);
                cpu.nextEip = target;
            }
            case DescriptorTable.TASK_GATE -> {
                checkSystemTarget(selector, descriptor);
                taskSwitch.throughTaskGate(DescriptorTable.gateSelector(descriptor), TaskSwitch.JUMP, 0);
            }
            case DescriptorTable.TSS16_AVAILABLE, DescriptorTable.TSS32_AVAILABLE -> {
                checkSystemTarget(selector, descriptor);
                taskSwitch.switchTo(selector, descriptor, TaskSwitch.JUMP, 0);
            }
            default -> throw gp(selector & 0xFFFC);
        }
    }

    void farCall(int selector, int offset, boolean operand32) {
        long descriptor = target(selector);
        if (DescriptorTable.isSegment(descriptor)) {
            if (!DescriptorTable.isCode(descriptor)) {
                throw gp(selector & 0xFFFC);
            }
            checkDirectCode(selector, descriptor);
            checkOffset(offset, descriptor);
            pushReturnAddress(operand32 ? 4 : 2);
            loadCs(selector, descriptor, cpu.cpl);
            cpu.nextEip = offset;
            return;
        }
        int type = DescriptorTable.type(descriptor);
        switch (type) {
            case DescriptorTable.CALL_GATE16, DescriptorTable.CALL_GATE32 -> callThroughGate(selector, descriptor);
            case DescriptorTable.TASK_GATE -> {
                checkSystemTarget(selector, descriptor);
                taskSwitch.throughTaskGate(DescriptorTable.gateSelector(descriptor), TaskSwitch.CALL, 0);
            }
            case DescriptorTable.TSS16_AVAILABLE, DescriptorTable.TSS32_AVAILABLE -> {
                checkSystemTarget(selector, descriptor);
                taskSwitch.switchTo(selector, descriptor, TaskSwitch.CALL, 0);
            }
            default -> throw gp(selector & 0xFFFC);
        }
    }

    /** Pushes CS and nextEip on the current stack, checked as one frame. */
    private void pushReturnAddress(int width) {
        int[] frame = table.frame();
        frame[0] = cpu.segSel[Cpu.CS];
        frame[1] = cpu.nextEip;
        int sp = table.pushFrame(cpu.segBase[Cpu.SS], cpu.segLimit[Cpu.SS], cpu.segAttr[Cpu.SS],
                cpu.regs[Cpu.ESP], 2, width, cpu.cpl == 3, 0);
        cpu.setSp(sp);
    }

    private void callThroughGate(int selector, long gate) {
        checkSystemTarget(selector, gate);
        int codeSelector = DescriptorTable.gateSelector(gate);
        long code = gateTargetCode(codeSelector);
        int target = DescriptorTable.gateOffset(gate);
        checkOffset(target, code);
        int width = (DescriptorTable.type(gate) & 8) != 0 ? 4 : 2;
        int dpl = DescriptorTable.dpl(code);
        if (DescriptorTable.isConforming(code) || dpl == cpu.cpl) {
            pushReturnAddress(width);
            loadCs(codeSelector, code, cpu.cpl);
            cpu.nextEip = target;
            return;
        }
        long stack = table.innerStack(dpl, 0);
        int newSs = (int) (stack >>> 32) & 0xFFFF;
        int newEsp = (int) stack;
        long ss = table.checkInnerStackSegment(newSs, dpl, 0);
        int params = (int) (gate >>> 32) & 0x1F;
        int[] frame = table.frame();
        frame[0] = cpu.segSel[Cpu.SS];
        frame[1] = cpu.regs[Cpu.ESP];
        int oldSp = cpu.stack32() ? cpu.regs[Cpu.ESP] : cpu.regs[Cpu.ESP] & 0xFFFF;
        for (int i = 0; i < params; i++) {
            int at = oldSp + (params - 1 - i) * width;
            if (!cpu.stack32()) {
                at &= 0xFFFF;
            }
            frame[2 + i] = width == 4 ? cpu.mmu.read32(Cpu.SS, at) : cpu.mmu.read16(Cpu.SS, at);
        }
        frame[2 + params] = cpu.segSel[Cpu.CS];
        frame[3 + params] = cpu.nextEip;
        int esp = table.pushFrame(DescriptorTable.base(ss), DescriptorTable.limit(ss), DescriptorTable.attributes(ss),
                newEsp, params + 4, width, false, newSs & 0xFFFC);
        table.setAccessed(newSs, ss);
        table.loadCache(Cpu.SS, newSs, ss);
        cpu.regs[Cpu.ESP] = esp;
        loadCs(codeSelector, code, dpl);
        cpu.nextEip = target;
    }

    /** Reads a stack item {@code index} items above the current stack pointer. */
    private int peek(int index, int width) {
        return peekAt(index * width, width);
    }

    /** Reads a stack item {@code bytes} above the current stack pointer (wrapping a 16-bit SP). */
    private int peekAt(int bytes, int width) {
        int sp = cpu.stack32() ? cpu.regs[Cpu.ESP] + bytes : (cpu.regs[Cpu.ESP] + bytes) & 0xFFFF;
        return width == 4 ? cpu.mmu.read32(Cpu.SS, sp) : cpu.mmu.read16(Cpu.SS, sp);
    }

    /** Checks the code segment of a RET/IRET target; returns its descriptor. */
    private long returnCode(int selector) {
        if ((selector & 0xFFFC) == 0) {
            throw gp(0);
        }
        int rpl = selector & 3;
        if (rpl < cpu.cpl) {
            throw gp(selector & 0xFFFC);
        }
        long code = table.read(selector, CpuException.GP, selector & 0xFFFC);
        int dpl = DescriptorTable.dpl(code);
        if (!DescriptorTable.isCode(code) || (DescriptorTable.isConforming(code) ? dpl > rpl : dpl != rpl)) {
            throw gp(selector & 0xFFFC);
        }
        if (!DescriptorTable.present(code)) {
            throw cpu.fault(CpuException.NP, selector & 0xFFFC);
        }
        return code;
    }

    /** Checks the outer SS of a return to privilege {@code rpl}; returns its descriptor. */
    private long returnStack(int selector, int rpl) {
        if ((selector & 0xFFFC) == 0) {
            throw gp(0);
        }
        int code = selector & 0xFFFC;
        if ((selector & 3) != rpl) {
            throw gp(code);
        }
        long ss = table.read(selector, CpuException.GP, code);
        if (!DescriptorTable.isWritableData(ss) || DescriptorTable.dpl(ss) != rpl) {
            throw gp(code);
        }
        if (!DescriptorTable.present(ss)) {
            throw cpu.fault(CpuException.SS, code);
        }
        return ss;
    }

    void farReturn(int popBytes, boolean operand32) {
        int width = operand32 ? 4 : 2;
        int offset = peek(0, width);
        int selector = peek(1, width) & 0xFFFF;
        long code = returnCode(selector);
        int rpl = selector & 3;
        if (rpl == cpu.cpl) {
            checkOffset(offset, code);
            loadCs(selector, code, rpl);
            cpu.setSp(cpu.regs[Cpu.ESP] + 2 * width + popBytes);
            cpu.nextEip = offset;
            return;
        }
        int newEsp = peekAt(2 * width + popBytes, width);
        int newSs = peekAt(3 * width + popBytes, width) & 0xFFFF;
        long ss = returnStack(newSs, rpl);
        checkOffset(offset, code);
        returnToOuterLevel(selector, code, offset, newSs, ss, newEsp + popBytes, width);
    }

    private void returnToOuterLevel(int selector, long code, int offset, int ssSelector, long ss, int esp, int width) {
        int rpl = selector & 3;
        loadCs(selector, code, rpl);
        table.setAccessed(ssSelector, ss);
        table.loadCache(Cpu.SS, ssSelector, ss);
        if (width == 4 || cpu.stack32()) {
            cpu.regs[Cpu.ESP] = width == 4 ? esp : esp & 0xFFFF;
        } else {
            cpu.setSp(esp);
        }
        cpu.nextEip = offset;
        for (int seg : DATA_SEGMENTS) {
            int attr = cpu.segAttr[seg];
            boolean conformingCode = (attr & 0xC) == 0xC && (attr & Cpu.ATTR_S) != 0;
            if ((attr & Cpu.ATTR_UNUSABLE) == 0 && !conformingCode && ((attr >>> Cpu.ATTR_DPL_SHIFT) & 3) < rpl) {
                table.loadNull(seg, 0);
            }
        }
    }

    void interruptReturn(boolean operand32) {
        if ((cpu.eflags & Cpu.NT) != 0) {
            int backLink = cpu.mmu.readSystem16(cpu.trBase);
            taskSwitch.returnToBackLink(backLink);
            return;
        }
        int width = operand32 ? 4 : 2;
        int offset = peek(0, width);
        int selector = peek(1, width) & 0xFFFF;
        int poppedFlags = peek(2, width);
        long code = returnCode(selector);
        int rpl = selector & 3;
        int flags = iretFlags(poppedFlags, operand32);
        if (rpl == cpu.cpl) {
            checkOffset(offset, code);
            loadCs(selector, code, rpl);
            cpu.setSp(cpu.regs[Cpu.ESP] + 3 * width);
            cpu.nextEip = offset;
            cpu.setEflags(flags);
            return;
        }
        int newEsp = peek(3, width);
        int newSs = peek(4, width) & 0xFFFF;
        long ss = returnStack(newSs, rpl);
        checkOffset(offset, code);
        returnToOuterLevel(selector, code, offset, newSs, ss, newEsp, width);
        cpu.setEflags(flags);
    }

    /**
     * EFLAGS after IRET at the current (old) CPL: IOPL changes only at CPL 0, IF only when
     * CPL <= IOPL; a 16-bit IRET keeps the upper half. VM is never set (no virtual-8086 support).
     */
    private int iretFlags(int popped, boolean operand32) {
        int changeable = Cpu.ARITH_FLAGS | Cpu.TF | Cpu.DF | Cpu.NT;
        if (operand32) {
            changeable |= Cpu.RF | Cpu.AC | Cpu.ID;
        }
        if (cpu.cpl == 0) {
            changeable |= Cpu.IOPL;
        }
        if (cpu.cpl <= cpu.iopl()) {
            changeable |= Cpu.IF;
        }
        return (cpu.getEflags() & ~changeable) | (popped & changeable);
    }
}
