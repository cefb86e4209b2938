package dev.twinstep.core.cpu;

import static dev.twinstep.core.cpu.CpuRig.code;
import static dev.twinstep.core.cpu.CpuRig.le16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The execution loop: instruction counting and budgets, fault versus trap return addresses,
 * HLT and the external interrupts that end it, the STI interrupt shadow, REP strings that yield,
 * and the deterministic time-stamp counter.
 */
class InterpreterTest {
    private static final int CODE = CpuRig.CODE;

    private final CpuRig rig = CpuRig.realMode();
    private final Cpu cpu = rig.cpu;

    /** An interrupt controller with one vector that stays pending until acknowledged. */
    private static final class OneInterrupt implements InterruptSource {
        final int vector;
        boolean pending = true;

        OneInterrupt(int vector) {
            this.vector = vector;
        }

        @Override
        public boolean hasPendingInterrupt() {
            return pending;
        }

        @Override
        public int acknowledge() {
            pending = false;
            return vector;
        }
    }

    @Test
    void shouldCountEveryRetiredInstructionIncludingHlt() {
        rig.program(0x90, 0x40, 0x43, 0x90, 0x41, CpuRig.HLT); // nop inc ax inc bx nop inc cx hlt
        rig.runToHalt();
        assertEquals(6, cpu.instructionCount);
        assertEquals(CODE + 6, cpu.eip);
    }

    @Test
    void shouldRestartAFaultAtItsFirstPrefixByteAndNotCountIt() {
        cpu.regs[Cpu.EBX] = 0;
        rig.program(0x90, 0x26, 0xF7, 0xF3); // nop; es: div bx (bx = 0)
        rig.runToHalt();
        assertEquals(CpuException.DE, rig.vectorTaken());
        assertEquals(CODE + 1, rig.stackWord(0), "pushed IP must point at the ES prefix");
        assertEquals(2, cpu.instructionCount, "the NOP and the handler's HLT; the faulting DIV does not retire");
    }

    @Test
    void shouldReturnAfterASoftwareInterrupt() {
        rig.program(0xCD, 0x21); // int 0x21
        rig.runToHalt();
        assertEquals(0x21, rig.vectorTaken());
        assertEquals(CODE + 2, rig.stackWord(0));
    }

    @Test
    void shouldStopWithinOneBlockOfTheBudget() {
        rig.program(0xEB, 0xFE); // jmp $
        long retired = cpu.execute(100);
        assertTrue(retired >= 100 && retired < 100 + Decoder.MAX_BLOCK_INSNS, "retired " + retired);
        assertFalse(cpu.halted);
    }

    @Test
    void shouldReturnAtOnceWhileAStopIsRequested() {
        rig.program(0xEB, 0xFE);
        cpu.stopRequested = true;
        assertEquals(0, cpu.execute(1000));
    }

    @Test
    void shouldTakeAnInterruptOnlyAfterTheInstructionFollowingSti() {
        rig.program(0xFB, CpuRig.HLT); // sti; hlt
        cpu.interruptSource = new OneInterrupt(0x30);
        cpu.execute(1000);
        assertTrue(cpu.halted, "HLT runs inside the STI shadow");
        assertEquals(CODE + 2, cpu.eip);

        cpu.execute(1); // the pending interrupt wakes the halted CPU
        assertEquals(0x30, rig.vectorTaken());
        assertEquals(CODE + 2, rig.stackWord(0), "return address is after the HLT");
    }

    @Test
    void shouldIgnoreInterruptsWhileInterruptsAreDisabled() {
        rig.program(0xFA, CpuRig.HLT); // cli; hlt
        OneInterrupt source = new OneInterrupt(0x30);
        cpu.interruptSource = source;
        rig.runToHalt();
        assertEquals(0, cpu.execute(1000), "a halted CPU with IF=0 stays halted");
        assertTrue(source.pending);
    }

    @Test
    void shouldYieldDuringALongRepStringAndFinishItLater() {
        int count = StringOps.CHUNK * 2 + 5;
        cpu.regs[Cpu.ECX] = count;
        cpu.regs[Cpu.EDI] = 0x2000;
        cpu.regs[Cpu.EAX] = 0xAB;
        rig.program(0xF3, 0xAA, CpuRig.HLT); // rep stosb; hlt
        cpu.execute(1);
        assertEquals(count - StringOps.CHUNK, cpu.regs[Cpu.ECX] & 0xFFFF);
        assertEquals(CODE, cpu.eip, "the REP instruction resumes where it stopped");
        rig.runToHalt();
        assertEquals(0, cpu.regs[Cpu.ECX] & 0xFFFF);
        assertEquals(0x2000 + count, cpu.regs[Cpu.EDI] & 0xFFFF);
        assertEquals(0xAB, rig.memory.read8(0x2000 + count - 1));
        assertEquals(0, rig.memory.read8(0x2000 + count));
    }

    @Test
    void shouldStopRepeCmpsbAtTheFirstDifference() {
        rig.poke(0x3000, 'a', 'b', 'c', 'd');
        rig.poke(0x4000, 'a', 'b', 'x', 'd');
        cpu.regs[Cpu.ESI] = 0x3000;
        cpu.regs[Cpu.EDI] = 0x4000;
        cpu.regs[Cpu.ECX] = 4;
        rig.program(0xF3, 0xA6, CpuRig.HLT); // repe cmpsb
        rig.runToHalt();
        assertEquals(1, cpu.regs[Cpu.ECX] & 0xFFFF);
        assertEquals(0x3003, cpu.regs[Cpu.ESI] & 0xFFFF);
        assertFalse(cpu.zf());
    }

    @Test
    void shouldDeriveTheTimeStampCounterFromRetiredInstructions() {
        rig.program(0x90, 0x90, 0x90, 0x0F, 0x31, CpuRig.HLT); // 3 NOPs; rdtsc
        rig.runToHalt();
        assertEquals(3, cpu.regs[Cpu.EAX]);
        assertEquals(0, cpu.regs[Cpu.EDX]);
    }

    @Test
    void shouldRunARealModeLoopWithCallAndReturn() {
        // mov cx, 5; l: call f; loop l; hlt; f: add ax, 3; ret
        rig.program(code(0xB9, le16(5), 0xE8, le16(3), 0xE2, 0xFB, CpuRig.HLT, 0x05, le16(3), 0xC3));
        cpu.regs[Cpu.EAX] = 0;
        rig.runToHalt();
        assertEquals(15, cpu.regs[Cpu.EAX] & 0xFFFF);
        assertEquals(0, cpu.regs[Cpu.ECX] & 0xFFFF);
        assertEquals(CpuRig.STACK_TOP, cpu.regs[Cpu.ESP]);
    }
}
