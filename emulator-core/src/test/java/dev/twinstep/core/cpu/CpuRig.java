package dev.twinstep.core.cpu;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;

/**
 * A CPU over flat RAM for the interpreter's own tests: real mode with every segment at 0, the IVT
 * pointing vector {@code v} at a HLT stub at {@link #HANDLERS} + 4v (so the halt address tells
 * which vector was taken), code at {@link #CODE}; or flat 32-bit protected mode without an IDT, for
 * code that takes no exceptions.
 */
final class CpuRig {
    static final int HANDLERS = 0x0800;
    static final int CODE = 0x1000;
    static final int STACK_TOP = 0x9000;
    static final int HLT = 0xF4;

    final GuestMemory memory = new GuestMemory(4L << 20, false);
    final IoBus io = new IoBus();
    final Cpu cpu = new Cpu(memory, io);

    static CpuRig realMode() {
        CpuRig rig = new CpuRig();
        Cpu cpu = rig.cpu;
        for (int vector = 0; vector < 256; vector++) {
            rig.memory.write16(vector * 4, HANDLERS + 4 * vector);
            rig.memory.write16(vector * 4 + 2, 0);
            rig.memory.write8(HANDLERS + 4 * vector, HLT);
        }
        for (int seg = 0; seg < 6; seg++) {
            cpu.segmentation.loadRealMode(seg, 0);
        }
        cpu.regs[Cpu.ESP] = STACK_TOP;
        cpu.eip = CODE;
        return rig;
    }

    static CpuRig flat32() {
        CpuRig rig = new CpuRig();
        Cpu cpu = rig.cpu;
        cpu.cr0 |= Cpu.CR0_PE;
        for (int seg = 0; seg < 6; seg++) {
            cpu.segSel[seg] = seg == Cpu.CS ? 0x08 : 0x10;
            cpu.segBase[seg] = 0;
            cpu.segLimit[seg] = -1;
            cpu.segAttr[seg] = Cpu.ATTR_P | Cpu.ATTR_S | Cpu.ATTR_DB | Cpu.ATTR_G | (seg == Cpu.CS ? 0xB : 0x3);
        }
        cpu.regs[Cpu.ESP] = STACK_TOP;
        cpu.eip = CODE;
        return rig;
    }

    /** Flattens byte values and int[] groups (e.g. {@link #le32}) into one byte sequence. */
    static int[] code(Object... parts) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (Object part : parts) {
            if (part instanceof int[]) {
                for (int b : (int[]) part) {
                    out.add(b);
                }
            } else {
                out.add((Integer) part);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static int[] le32(int value) {
        return new int[] {value & 0xFF, (value >>> 8) & 0xFF, (value >>> 16) & 0xFF, value >>> 24};
    }

    static int[] le16(int value) {
        return new int[] {value & 0xFF, (value >>> 8) & 0xFF};
    }

    /** Writes {@code bytes} at {@code address}. */
    void poke(int address, int... bytes) {
        for (int k = 0; k < bytes.length; k++) {
            memory.write8(address + k, bytes[k]);
        }
    }

    /** Writes the program at {@link #CODE}. */
    void program(int... bytes) {
        poke(CODE, bytes);
    }

    /** Runs until the CPU halts; fails the test after a generous number of instructions. */
    void runToHalt() {
        for (int round = 0; round < 10_000 && !cpu.halted; round++) {
            cpu.execute(1000);
        }
        if (!cpu.halted) {
            throw new AssertionError("the program did not halt; EIP " + Integer.toHexString(cpu.eip));
        }
    }

    /** The vector whose HLT stub the CPU halted in, or -1 when it halted elsewhere. */
    int vectorTaken() {
        int at = cpu.segBase[Cpu.CS] + cpu.eip - 1 - HANDLERS;
        return at >= 0 && at < 1024 && at % 4 == 0 ? at / 4 : -1;
    }

    /** The 16-bit word at SS:SP + {@code offset}. */
    int stackWord(int offset) {
        return memory.read16(cpu.segBase[Cpu.SS] + ((cpu.regs[Cpu.ESP] + offset) & 0xFFFF));
    }
}
