package dev.twinstep.core.cpu;

import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;

/**
 * The CPU's snapshot section "cpu": everything architecturally visible at an instruction boundary.
 * Lazy flags are folded into EFLAGS on save; decoded blocks and TLB entries are caches and are
 * dropped on load. The A20 gate is saved here because the CPU is the one that sees it.
 */
public final class CpuState implements Stateful {
    private final Cpu cpu;

    /** The section of {@code cpu}. */
    public CpuState(Cpu cpu) {
        this.cpu = cpu;
    }

    @Override
    public String sectionName() {
        return "cpu";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    @Override
    public void save(StateWriter out) {
        out.putInts(cpu.regs);
        out.putInt(cpu.eip);
        out.putInt(cpu.getEflags());
        out.putInts(cpu.segSel);
        out.putInts(cpu.segBase);
        out.putInts(cpu.segLimit);
        out.putInts(cpu.segAttr);
        out.putInts(new int[] {cpu.ldtrSel, cpu.ldtrBase, cpu.ldtrLimit, cpu.ldtrAttr,
            cpu.trSel, cpu.trBase, cpu.trLimit, cpu.trAttr,
            cpu.gdtrBase, cpu.gdtrLimit, cpu.idtrBase, cpu.idtrLimit,
            cpu.cr0, cpu.cr2, cpu.cr3, cpu.cr4});
        out.putInts(cpu.dr);
        out.putInt(cpu.cpl);
        out.putBoolean(cpu.halted);
        out.putBoolean(cpu.interruptShadow);
        out.putLong(cpu.instructionCount);
        out.putLong(cpu.tscOffset);
        out.putLong(cpu.apicBaseMsr);
        out.putBoolean(cpu.memory.isA20Enabled());
        out.putBoolean(cpu.localApicPresent);
    }

    @Override
    public void load(StateReader in, int version) {
        int[] regs = fixed(in.getInts(), 8, "general registers");
        int eip = in.getInt();
        int eflags = in.getInt();
        int[] sel = fixed(in.getInts(), 6, "segment selectors");
        int[] base = fixed(in.getInts(), 6, "segment bases");
        int[] limit = fixed(in.getInts(), 6, "segment limits");
        int[] attr = fixed(in.getInts(), 6, "segment attributes");
        int[] system = fixed(in.getInts(), 16, "system registers");
        int[] dr = fixed(in.getInts(), 8, "debug registers");
        int cpl = in.getInt();
        if (cpl < 0 || cpl > 3) {
            throw new StateFormatException("cpu section: CPL " + cpl + " out of range");
        }
        System.arraycopy(regs, 0, cpu.regs, 0, 8);
        cpu.eip = eip;
        cpu.nextEip = eip;
        cpu.lazyMask = 0;
        cpu.setEflags(eflags);
        System.arraycopy(sel, 0, cpu.segSel, 0, 6);
        System.arraycopy(base, 0, cpu.segBase, 0, 6);
        System.arraycopy(limit, 0, cpu.segLimit, 0, 6);
        System.arraycopy(attr, 0, cpu.segAttr, 0, 6);
        cpu.ldtrSel = system[0];
        cpu.ldtrBase = system[1];
        cpu.ldtrLimit = system[2];
        cpu.ldtrAttr = system[3];
        cpu.trSel = system[4];
        cpu.trBase = system[5];
        cpu.trLimit = system[6];
        cpu.trAttr = system[7];
        cpu.gdtrBase = system[8];
        cpu.gdtrLimit = system[9];
        cpu.idtrBase = system[10];
        cpu.idtrLimit = system[11];
        cpu.cr0 = system[12];
        cpu.cr2 = system[13];
        cpu.cr3 = system[14];
        cpu.cr4 = system[15];
        System.arraycopy(dr, 0, cpu.dr, 0, 8);
        cpu.cpl = cpl;
        cpu.halted = in.getBoolean();
        cpu.interruptShadow = in.getBoolean();
        cpu.instructionCount = in.getLong();
        cpu.blockStartCount = cpu.instructionCount;
        cpu.tscOffset = in.getLong();
        cpu.apicBaseMsr = in.getLong();
        cpu.memory.setA20Enabled(in.getBoolean());
        cpu.localApicPresent = in.getBoolean();
        cpu.blockExit = false;
        cpu.pairSplit = false;
        cpu.mmu.flushTlb();
        cpu.flushDecodedCode();
    }

    private static int[] fixed(int[] values, int length, String what) {
        if (values.length != length) {
            throw new StateFormatException("cpu section: " + values.length + " " + what + ", expected " + length);
        }
        return values;
    }
}
