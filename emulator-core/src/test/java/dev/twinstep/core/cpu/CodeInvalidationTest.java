package dev.twinstep.core.cpu;

import static dev.twinstep.core.cpu.CpuRig.code;
import static dev.twinstep.core.cpu.CpuRig.le32;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Decoded blocks never outlive the bytes they came from: stores by the executing block, stores to
 * code that was already cached (and linked to its callers), device DMA between runs, and writes to
 * the second page of an instruction that straddles a page boundary all take effect.
 */
class CodeInvalidationTest {
    private static final int CODE = CpuRig.CODE;

    private final CpuRig rig = CpuRig.flat32();
    private final Cpu cpu = rig.cpu;

    @Test
    void shouldRunAnInstructionRewrittenLaterInTheExecutingBlock() {
        rig.program(code(
                0xC6, 0x05, le32(CODE + 10), 0x42, // mov byte [CODE+10], 0x42
                0x90, 0x90,                        // two NOPs in between
                0xB0, 0x00,                        // CODE+9: mov al, 0 -> its immediate is at CODE+10
                CpuRig.HLT));
        rig.runToHalt();
        assertEquals(0x42, cpu.regs[Cpu.EAX] & 0xFF);
        assertEquals(CODE + 12, cpu.eip);
    }

    @Test
    void shouldRunPatchedCodeOfACachedAndLinkedSubroutine() {
        int target = CODE + 0x40;
        rig.program(code(
                0xB9, 0x02, 0x00, 0x00, 0x00,        // mov ecx, 2
                0xE8, le32(target - (CODE + 10)),     // CODE+5: call target
                0xC6, 0x05, le32(target + 1), 0x07,   // mov byte [target+1], 7
                0x49,                                 // dec ecx
                0x75, 0xF1,                           // jnz CODE+5
                CpuRig.HLT));
        rig.poke(target, 0xB0, 0x01, 0x00, 0xC3, 0xC3); // mov al, 1; add bl, al; ret
        cpu.regs[Cpu.EBX] = 0;
        rig.runToHalt();
        assertEquals(1 + 7, cpu.regs[Cpu.EBX] & 0xFF, "second call must see the patched immediate");
    }

    @Test
    void shouldSeeDmaWritesToCodeBetweenRuns() {
        rig.program(code(0xB8, le32(0x11111111), CpuRig.HLT)); // mov eax, 0x11111111; hlt
        rig.runToHalt();
        assertEquals(0x11111111, cpu.regs[Cpu.EAX]);

        rig.memory.writeBytes(CODE + 1, new byte[] {0x22, 0x22, 0x22, 0x22}, 0, 4);
        cpu.halted = false;
        cpu.eip = CODE;
        rig.runToHalt();
        assertEquals(0x22222222, cpu.regs[Cpu.EAX]);
    }

    @Test
    void shouldSeeWritesToTheSecondPageOfAStraddlingInstruction() {
        int at = 0x1FFE;
        rig.poke(at, 0xB8, 0x44, 0x33, 0x22, 0x11, CpuRig.HLT); // mov eax, 0x11223344 across 0x2000
        cpu.eip = at;
        rig.runToHalt();
        assertEquals(0x11223344, cpu.regs[Cpu.EAX]);

        rig.memory.write8(0x2001, 0x99); // second page only
        cpu.halted = false;
        cpu.eip = at;
        rig.runToHalt();
        assertEquals(0x11993344, cpu.regs[Cpu.EAX]);
    }

    @Test
    void shouldRunCodeOverwrittenByAStringStoreInTheSameBlock() {
        rig.program(code(
                0xBF, le32(CODE + 16),  // mov edi, CODE+16
                0xB9, le32(2),          // mov ecx, 2
                0xB0, 0x90,             // mov al, 0x90 (NOP)
                0xF3, 0xAA,             // rep stosb: turns "inc ebx; inc ebx" below into NOPs
                0x90, 0x90,
                0x43, 0x43,             // CODE+16: inc ebx; inc ebx
                CpuRig.HLT));
        cpu.regs[Cpu.EBX] = 0;
        rig.runToHalt();
        assertEquals(0, cpu.regs[Cpu.EBX]);
    }
}
