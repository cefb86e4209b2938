package dev.twinstep.core.cpu;

/**
 * Hardware task switches through TSS descriptors and task gates, for JMP, CALL, INT (and
 * exceptions) and IRET with NT: the outgoing state is saved in the old TSS, busy bits and the
 * back-link/NT chain are maintained, and the incoming state (CR3, LDT, segment registers with #TS
 * checks, EFLAGS, EIP, general registers) is loaded; CR0.TS is set. 32- and 16-bit TSS formats.
 *
 * <p>As on hardware, faults after the new TR is loaded (bad segment selectors in the new TSS) are
 * raised in the context of the new task. Virtual-8086 tasks are not supported (VM is cleared).
 */
final class TaskSwitch {
    /** Why a task switch happens: decides busy bits, back-link and NT. */
    static final int JUMP = 0, CALL = 1, INTERRUPT = 2, IRET = 3;

    // 32-bit TSS offsets; the 16-bit layout is derived in the accessors below.
    private static final int CR3 = 0x1C;

    private final Cpu cpu;
    private final DescriptorTable table;
    private final int[] incoming = new int[16];
    private final int[] selectors = new int[6];
    private static final int[] DATA_SEGMENTS = {Cpu.ES, Cpu.DS, Cpu.FS, Cpu.GS};

    TaskSwitch(Cpu cpu, DescriptorTable table) {
        this.cpu = cpu;
        this.table = table;
    }

    void setBusy(int selector, long descriptor, boolean busy) {
        int address = table.address(selector);
        int typeByte = (int) (descriptor >>> 40) & 0xFF;
        cpu.mmu.writeSystem8(address + 5, busy ? typeByte | 2 : typeByte & ~2);
    }

    /** Task gate in the IDT or reached by JMP/CALL: the TSS it names must be an available GDT TSS. */
    void throughTaskGate(int tssSelector, int reason, int ext) {
        int vector = reason == INTERRUPT ? CpuException.TS : CpuException.GP;
        int code = (tssSelector & 0xFFFC) | ext;
        if ((tssSelector & 4) != 0) {
            throw cpu.fault(vector, code);
        }
        long descriptor = table.read(tssSelector, vector, code);
        int type = DescriptorTable.type(descriptor);
        if (DescriptorTable.isSegment(descriptor)
                || (type != DescriptorTable.TSS16_AVAILABLE && type != DescriptorTable.TSS32_AVAILABLE)) {
            throw cpu.fault(vector, code);
        }
        if (!DescriptorTable.present(descriptor)) {
            throw cpu.fault(CpuException.NP, code);
        }
        switchTo(tssSelector, descriptor, reason, ext);
    }

    /** IRET with NT set: back to the task named by the current TSS's back-link, which must be busy. */
    void returnToBackLink(int backLink) {
        int code = backLink & 0xFFFC;
        if ((backLink & 4) != 0 || code == 0) {
            throw cpu.fault(CpuException.TS, code);
        }
        long descriptor = table.read(backLink, CpuException.TS, code);
        int type = DescriptorTable.type(descriptor);
        if (DescriptorTable.isSegment(descriptor)
                || (type != DescriptorTable.TSS16_BUSY && type != DescriptorTable.TSS32_BUSY)) {
            throw cpu.fault(CpuException.TS, code);
        }
        if (!DescriptorTable.present(descriptor)) {
            throw cpu.fault(CpuException.NP, code);
        }
        switchTo(backLink, descriptor, IRET, 0);
    }

    /** Switches to the TSS {@code selector} (descriptor already checked for type, DPL and presence). */
    void switchTo(int selector, long descriptor, int reason, int ext) {
        boolean new32 = (DescriptorTable.type(descriptor) & 8) != 0;
        int newBase = DescriptorTable.base(descriptor);
        int newLimit = DescriptorTable.limit(descriptor);
        if (Integer.compareUnsigned(newLimit, new32 ? 0x67 : 0x2B) < 0) {
            throw cpu.fault(CpuException.TS, (selector & 0xFFFC) | ext);
        }
        readIncoming(newBase, new32);
        saveOutgoing(reason);

        if ((reason == JUMP || reason == IRET) && table.address(cpu.trSel & 0xFFFB) != 1 && (cpu.trSel & 0xFFFC) != 0) {
            int oldSelector = cpu.trSel & 0xFFFB;
            setBusy(oldSelector, table.readAt(table.address(oldSelector)), false);
        }
        // No virtual-8086 support: a VM bit in the new task's EFLAGS is dropped.
        int newFlags = incoming[8] & ~Cpu.VM;
        if (reason == CALL || reason == INTERRUPT) {
            cpu.mmu.writeSystem16(newBase, cpu.trSel);
            newFlags |= Cpu.NT;
        }
        if (reason != IRET) {
            setBusy(selector, descriptor, true);
        }
        cpu.trSel = selector;
        cpu.trBase = newBase;
        cpu.trLimit = newLimit;
        cpu.trAttr = DescriptorTable.attributes(descriptor) | 2;
        cpu.cr0 |= Cpu.CR0_TS;
        if (new32 && (cpu.cr0 & Cpu.CR0_PG) != 0) {
            cpu.mmu.writeCr3(incoming[10]);
        }
        for (int r = 0; r < 8; r++) {
            cpu.regs[r] = incoming[r];
        }
        cpu.setEflags(newFlags);
        cpu.nextEip = incoming[9];
        loadIncomingSegments(ext);
        if (Integer.compareUnsigned(cpu.nextEip, cpu.segLimit[Cpu.CS]) > 0) {
            throw cpu.fault(CpuException.GP, 0);
        }
    }

    /**
     * Reads the new task's state into {@link #incoming}: 0-7 registers, 8 EFLAGS, 9 EIP, 10 CR3,
     * 11-15 unused; segment selectors are read again when loaded.
     */
    private void readIncoming(int base, boolean tss32) {
        if (tss32) {
            for (int r = 0; r < 8; r++) {
                incoming[r] = cpu.mmu.readSystem32(base + 0x28 + r * 4);
            }
            incoming[8] = cpu.mmu.readSystem32(base + 0x24);
            incoming[9] = cpu.mmu.readSystem32(base + 0x20);
            incoming[10] = cpu.mmu.readSystem32(base + CR3);
            for (int s = 0; s < 6; s++) {
                cpu.mmu.readSystem16(base + 0x48 + s * 4);
            }
            cpu.mmu.readSystem16(base + 0x60);
        } else {
            for (int r = 0; r < 8; r++) {
                incoming[r] = cpu.mmu.readSystem16(base + 0x12 + r * 2);
            }
            incoming[8] = cpu.mmu.readSystem16(base + 0x10);
            incoming[9] = cpu.mmu.readSystem16(base + 0x0E);
            incoming[10] = cpu.cr3;
            cpu.mmu.readSystem16(base + 0x2A);
        }
    }

    private void saveOutgoing(int reason) {
        int base = cpu.trBase;
        int flags = cpu.getEflags();
        if (reason == JUMP || reason == IRET) {
            flags &= ~Cpu.NT;
        }
        if (table.tss32()) {
            cpu.mmu.probeWrite(base + 0x20, 0x40, false);
            cpu.mmu.writeSystem32(base + 0x20, cpu.nextEip);
            cpu.mmu.writeSystem32(base + 0x24, flags);
            for (int r = 0; r < 8; r++) {
                cpu.mmu.writeSystem32(base + 0x28 + r * 4, cpu.regs[r]);
            }
            for (int s = 0; s < 6; s++) {
                cpu.mmu.writeSystem16(base + 0x48 + s * 4, cpu.segSel[s]);
            }
        } else {
            cpu.mmu.probeWrite(base + 0x0E, 0x1C, false);
            cpu.mmu.writeSystem16(base + 0x0E, cpu.nextEip);
            cpu.mmu.writeSystem16(base + 0x10, flags);
            for (int r = 0; r < 8; r++) {
                cpu.mmu.writeSystem16(base + 0x12 + r * 2, cpu.regs[r]);
            }
            for (int s = 0; s < 4; s++) {
                cpu.mmu.writeSystem16(base + 0x22 + s * 2, cpu.segSel[s]);
            }
        }
    }

    private int selectorAt(int seg) {
        if (table.tss32()) {
            return cpu.mmu.readSystem16(cpu.trBase + 0x48 + seg * 4);
        }
        return seg <= Cpu.DS ? cpu.mmu.readSystem16(cpu.trBase + 0x22 + seg * 2) : 0;
    }

    private void loadIncomingSegments(int ext) {
        int ldt = cpu.mmu.readSystem16(cpu.trBase + (table.tss32() ? 0x60 : 0x2A));
        for (int s = 0; s < 6; s++) {
            selectors[s] = selectorAt(s);
            table.loadNull(s, selectors[s]);
        }
        loadTaskLdt(ldt, ext);
        int cs = selectors[Cpu.CS];
        cpu.cpl = cs & 3;
        int csCode = (cs & 0xFFFC) | ext;
        if ((cs & 0xFFFC) == 0) {
            throw cpu.fault(CpuException.TS, csCode);
        }
        long code = table.read(cs, CpuException.TS, csCode);
        int dpl = DescriptorTable.dpl(code);
        if (!DescriptorTable.isCode(code) || (DescriptorTable.isConforming(code) ? dpl > cpu.cpl : dpl != cpu.cpl)) {
            throw cpu.fault(CpuException.TS, csCode);
        }
        if (!DescriptorTable.present(code)) {
            throw cpu.fault(CpuException.NP, csCode);
        }
        table.setAccessed(cs, code);
        table.loadCache(Cpu.CS, cs, code);
        cpu.segmentation.loadStackSegment(selectors[Cpu.SS], CpuException.TS, CpuException.SS, ext);
        for (int seg : DATA_SEGMENTS) {
            cpu.segmentation.loadDataSegment(seg, selectors[seg], CpuException.TS, ext);
        }
    }

    private void loadTaskLdt(int ldt, int ext) {
        cpu.ldtrSel = ldt;
        if ((ldt & 0xFFFC) == 0) {
            cpu.ldtrBase = 0;
            cpu.ldtrLimit = 0;
            cpu.ldtrAttr = Cpu.ATTR_UNUSABLE;
            return;
        }
        int code = (ldt & 0xFFFC) | ext;
        cpu.ldtrAttr = Cpu.ATTR_UNUSABLE;
        if ((ldt & 4) != 0) {
            throw cpu.fault(CpuException.TS, code);
        }
        long descriptor = table.read(ldt, CpuException.TS, code);
        if (DescriptorTable.isSegment(descriptor) || DescriptorTable.type(descriptor) != DescriptorTable.LDT
                || !DescriptorTable.present(descriptor)) {
            throw cpu.fault(CpuException.TS, code);
        }
        cpu.ldtrBase = DescriptorTable.base(descriptor);
        cpu.ldtrLimit = DescriptorTable.limit(descriptor);
        cpu.ldtrAttr = DescriptorTable.attributes(descriptor);
    }
}
