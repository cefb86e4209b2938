package dev.twinstep.core.cpu.blackbox;

import static dev.twinstep.core.cpu.blackbox.RealModeDecoderTest.hex;
import static dev.twinstep.core.cpu.blackbox.TestMachine.code;
import static dev.twinstep.core.cpu.blackbox.TestMachine.le;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinstep.core.cpu.Cpu;
import org.junit.jupiter.api.Test;

/**
 * Code that rewrites instructions it executes later must run the new bytes, wherever the written
 * instruction sits: the very next instruction, further on in the same block, another block already
 * executed (and so decoded and cached), or code patched from outside the CPU between runs.
 */
class SelfModifyingCodeTest {
    private static final int CODE = TestMachine.CODE;

    private final TestMachine machine = TestMachine.flat32();
    private final Cpu cpu = machine.cpu;

    @Test
    void shouldRunTheRewrittenNextInstruction() {
        // mov byte [CODE+8], 0x42  (7 bytes: C6 05 disp32 imm8), then at CODE+7: mov al, 0 -> imm at CODE+8
        machine.program(code(0xC6, 0x05, le(CODE + 8, 4), 0x42,
                0xB0, 0x00));

        machine.runToHalt();

        machine.assertHaltedAfter(CODE + 9);
        assertEquals(0x42, cpu.regs[Cpu.EAX] & 0xFF);
    }

    @Test
    void shouldRunAnInstructionRewrittenFurtherOnInTheSameBlock() {
        // mov byte [CODE+13], 0x42; four NOPs; mov bl, 1 at CODE+11; mov al, 0 at CODE+13 -> imm at CODE+14
        machine.program(code(0xC6, 0x05, le(CODE + 14, 4), 0x42,
                0x90, 0x90, 0x90, 0x90,
                0xB3, 0x01,
                0xB0, 0x00));

        machine.runToHalt();

        machine.assertHaltedAfter(CODE + 15);
        assertEquals(0x42, cpu.regs[Cpu.EAX] & 0xFF);
        assertEquals(0x01, cpu.regs[Cpu.EBX] & 0xFF);
    }

    @Test
    void shouldDecodeAgainWhenAStoreChangesInstructionBoundaries() {
        // mov dword [CODE+10], 0x332211B8 turns five NOPs into "mov eax, 0x90332211"
        machine.program(code(0xC7, 0x05, le(CODE + 10, 4), le(0x332211B8, 4),
                0x90, 0x90, 0x90, 0x90, 0x90));

        machine.runToHalt();

        machine.assertHaltedAfter(CODE + 15);
        assertEquals(hex(0x90332211), hex(cpu.regs[Cpu.EAX]));
    }

    @Test
    void shouldRunARoutineRewrittenAfterItWasExecuted() {
        int routine = 0x3000;
        machine.poke(routine, 0xB0, 0x01, 0xC3); // mov al, 1; ret
        int callFromCode = routine - (CODE + 5);
        int secondCallAt = CODE + 5 + 2 + 7;
        machine.program(code(0xE8, le(callFromCode, 4), // call routine
                0x88, 0xC3, // mov bl, al
                0xC6, 0x05, le(routine + 1, 4), 0x02, // mov byte [routine+1], 2
                0xE8, le(routine - (secondCallAt + 5), 4))); // call routine

        machine.runToHalt();

        machine.assertHaltedAfter(secondCallAt + 5);
        assertEquals(0x01, cpu.regs[Cpu.EBX] & 0xFF, "first call ran the old routine");
        assertEquals(0x02, cpu.regs[Cpu.EAX] & 0xFF, "second call ran the rewritten routine");
    }

    @Test
    void shouldRunALoopBodyRewrittenByTheLoopItself() {
        // ecx = 3; again: mov al, imm (at CODE+5, imm at CODE+6); inc byte [CODE+6]; loop again
        machine.program(code(0xB9, le(3, 4),
                0xB0, 0x10,
                0xFE, 0x05, le(CODE + 6, 4),
                0xE2, 0xF6));

        machine.runToHalt();

        assertEquals(0x12, cpu.regs[Cpu.EAX] & 0xFF, "third pass loads the twice-incremented immediate");
        assertEquals(0x13, machine.memory.read8(CODE + 6));
    }

    @Test
    void shouldRunCodeRewrittenByAStringInstruction() {
        // rep movsb copies "mov al, 0x77" over the two NOPs that follow it
        machine.poke(0x5000, 0xB0, 0x77);
        cpu.regs[Cpu.ESI] = 0x5000;
        cpu.regs[Cpu.EDI] = CODE + 2;
        cpu.regs[Cpu.ECX] = 2;
        machine.program(code(0xF3, 0xA4, 0x90, 0x90));

        machine.runToHalt();

        machine.assertHaltedAfter(CODE + 4);
        assertEquals(0x77, cpu.regs[Cpu.EAX] & 0xFF);
    }

    @Test
    void shouldRunCodePatchedFromOutsideTheCpuBetweenRuns() {
        // again: mov al, imm; hlt; jmp again -- patched through GuestMemory, as a device's DMA would
        machine.program(code(0xB0, 0x01, TestMachine.HLT, 0xEB, 0xFB));
        for (int value = 1; value <= 3; value++) {
            machine.runToHalt();
            assertEquals(value, cpu.regs[Cpu.EAX] & 0xFF);
            machine.memory.writeBytes(CODE + 1, new byte[] {(byte) (value + 1)}, 0, 1);
        }
    }

    @Test
    void shouldRunRewrittenCodeThroughPaging() {
        machine.enableIdentityPaging();
        // the code page is also reachable at linear 0x400000: write through that alias
        machine.mapPage(0x400000 + CODE, CODE, TestMachine.PTE_SETTLED);
        machine.program(code(0xC6, 0x05, le(0x400000 + CODE + 8, 4), 0x42,
                0xB0, 0x00));

        machine.runToHalt();

        assertEquals(0x42, cpu.regs[Cpu.EAX] & 0xFF);
    }
}
