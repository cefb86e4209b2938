package dev.twinstep.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A fused CMP/TEST + Jcc pair ({@link FusedOps}) behaves as the two instructions it replaces: it
 * counts two, single-steps as two, and a branch beyond the CS limit faults at the Jcc after the
 * compare retired. Real mode with an operand-size prefix, so the IVT stubs report the vector.
 */
class FusedCompareBranchTest {
    private static final int CODE = CpuRig.CODE;
    /** o32 cmp eax, ebx (3 bytes); jne +2 (2 bytes); inc ax; inc ax; hlt. */
    private static final int[] COMPARE_AND_SKIP = {0x66, 0x39, 0xD8, 0x75, 0x02, 0x40, 0x40, CpuRig.HLT};

    private final CpuRig rig = CpuRig.realMode();
    private final Cpu cpu = rig.cpu;

    @Test
    void shouldTakeTheBranchAndCountBothInstructionsWhenTheCompareDiffers() {
        cpu.regs[Cpu.EAX] = 1;
        cpu.regs[Cpu.EBX] = 2;
        rig.program(COMPARE_AND_SKIP);
        rig.runToHalt();
        assertEquals(1, cpu.regs[Cpu.EAX], "both INCs skipped");
        assertEquals(3, cpu.instructionCount, "cmp, jne, hlt");
        assertEquals(CODE + 8, cpu.eip);
    }

    @Test
    void shouldFallThroughAndCountEveryInstructionWhenTheCompareIsEqual() {
        cpu.regs[Cpu.EAX] = 7;
        cpu.regs[Cpu.EBX] = 7;
        rig.program(COMPARE_AND_SKIP);
        rig.runToHalt();
        assertEquals(9, cpu.regs[Cpu.EAX]);
        assertEquals(5, cpu.instructionCount, "cmp, jne, inc, inc, hlt");
    }

    @Test
    void shouldTrapBetweenTheCompareAndTheBranchWhenSingleStepping() {
        cpu.regs[Cpu.EAX] = 1;
        cpu.regs[Cpu.EBX] = 2;
        cpu.eflags |= Cpu.TF;
        rig.program(COMPARE_AND_SKIP);
        rig.runToHalt();
        assertEquals(CpuException.DB, rig.vectorTaken());
        assertEquals(CODE + 3, rig.stackWord(0), "the #DB returns to the JNE");
        assertEquals(2, cpu.instructionCount, "the CMP and the handler's HLT");
    }

    @Test
    void shouldRestartTheWholePairWhenTheMemoryCompareFaults() {
        cpu.regs[Cpu.EAX] = 0x10000; // beyond DS's 64 KiB limit
        rig.program(0x66, 0x67, 0x39, 0x18, 0x75, 0x02, CpuRig.HLT); // o32 a32 cmp [eax], ebx; jne +2
        rig.runToHalt();
        assertEquals(CpuException.GP, rig.vectorTaken());
        assertEquals(CODE, rig.stackWord(0), "#GP is a fault of the CMP");
        assertEquals(1, cpu.instructionCount, "only the handler's HLT");
    }

    @Test
    void shouldFaultAtTheBranchAfterTheCompareRetiredWhenTheTargetLiesBeyondTheCsLimit() {
        cpu.regs[Cpu.EAX] = 5;
        cpu.regs[Cpu.EBX] = 5;
        cpu.segLimit[Cpu.CS] = CODE + 4;
        rig.program(0x66, 0x39, 0xD8, 0x74, 0x10); // o32 cmp eax, ebx; je +0x10 (beyond the limit)
        rig.runToHalt();
        assertEquals(CpuException.GP, rig.vectorTaken());
        assertEquals(CODE + 3, rig.stackWord(0), "#GP is a fault of the JE");
        assertEquals(2, cpu.instructionCount, "the CMP and the handler's HLT");
        assertEquals(Cpu.ZF, cpu.getEflags() & Cpu.ZF, "the CMP's flags were committed");
    }
}
