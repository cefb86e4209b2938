package dev.twinstep.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The decoder turns bytes into the right operand fields and lengths: prefixes, 16- and 32-bit
 * ModRM/SIB forms with their default segments, immediates, block boundaries and the encodings
 * that must raise #UD or #GP when executed.
 */
class DecoderTest {
    private final CpuRig rig = CpuRig.flat32();
    private final BlockCache cache = new BlockCache(rig.memory);
    private final Decoder decoder = new Decoder(rig.cpu, cache);

    private Insn decode32(int... bytes) {
        rig.program(bytes);
        return decoder.decodeBlock(CpuRig.CODE, CpuRig.CODE, CpuRig.CODE, true).insns[0];
    }

    private Insn decode16(int... bytes) {
        rig.program(bytes);
        return decoder.decodeBlock(CpuRig.CODE, CpuRig.CODE, CpuRig.CODE, false).insns[0];
    }

    @Test
    void shouldDecodeSibWithScaledIndexAndDisplacement() {
        // mov eax, [ebx + esi*4 + 0x12345678]
        Insn i = decode32(0x8B, 0x84, 0xB3, 0x78, 0x56, 0x34, 0x12);
        assertEquals(7, i.length);
        assertTrue(i.mem);
        assertEquals(Cpu.EBX, i.base);
        assertEquals(Cpu.ESI, i.index);
        assertEquals(2, i.scale);
        assertEquals(0x12345678, i.disp);
        assertEquals(Cpu.DS, i.seg);
        assertEquals(Cpu.EAX, i.reg);
    }

    @Test
    void shouldUseStackSegmentForEbpAndEspBases() {
        Insn ebp = decode32(0x8B, 0x45, 0xF8); // mov eax, [ebp-8]
        assertEquals(Cpu.SS, ebp.seg);
        assertEquals(-8, ebp.disp);
        Insn esp = decode32(0x8B, 0x44, 0x24, 0x04); // mov eax, [esp+4]
        assertEquals(Cpu.SS, esp.seg);
        assertEquals(Cpu.ESP, esp.base);
        assertEquals(Insn.NO_REGISTER, esp.index);
        Insn overridden = decode32(0x26, 0x8B, 0x45, 0xF8); // mov eax, es:[ebp-8]
        assertEquals(Cpu.ES, overridden.seg);
        assertEquals(4, overridden.length);
    }

    @Test
    void shouldDecodeAbsoluteAddressWithoutBase() {
        Insn i = decode32(0x8B, 0x05, 0x00, 0x20, 0x00, 0x00); // mov eax, [0x2000]
        assertEquals(Insn.NO_REGISTER, i.base);
        assertEquals(Insn.NO_REGISTER, i.index);
        assertEquals(0x2000, i.disp);
        Insn sib = decode32(0x8B, 0x04, 0x8D, 0x00, 0x30, 0x00, 0x00); // mov eax, [ecx*4 + 0x3000]
        assertEquals(Insn.NO_REGISTER, sib.base);
        assertEquals(Cpu.ECX, sib.index);
        assertEquals(0x3000, sib.disp);
        assertEquals(7, sib.length);
    }

    @Test
    void shouldDecodeSixteenBitAddressingForms() {
        Insn bpDi = decode16(0x8B, 0x43, 0x10); // mov ax, [bp+di+0x10]
        assertEquals(Cpu.EBP, bpDi.base);
        assertEquals(Cpu.EDI, bpDi.index);
        assertEquals(0x10, bpDi.disp);
        assertEquals(Cpu.SS, bpDi.seg);
        assertTrue(bpDi.addr16);
        assertFalse(bpDi.o32);
        Insn direct = decode16(0x8B, 0x06, 0x34, 0x12); // mov ax, [0x1234]
        assertEquals(Insn.NO_REGISTER, direct.base);
        assertEquals(0x1234, direct.disp);
        assertEquals(Cpu.DS, direct.seg);
        assertEquals(4, direct.length);
    }

    @Test
    void shouldApplyOperandAndAddressSizePrefixes() {
        Insn i = decode16(0x66, 0x67, 0xC7, 0x00, 0x78, 0x56, 0x34, 0x12); // mov dword [eax], 0x12345678
        assertTrue(i.o32);
        assertFalse(i.addr16);
        assertEquals(Cpu.EAX, i.base);
        assertEquals(0x12345678, i.imm);
        assertEquals(8, i.length);
        Insn w = decode32(0x66, 0xB8, 0x34, 0x12); // mov ax, 0x1234
        assertFalse(w.o32);
        assertEquals(4, w.length);
    }

    @Test
    void shouldSignExtendByteImmediatesAndDisplacements() {
        Insn i = decode32(0x83, 0xC0, 0xFF); // add eax, -1
        assertEquals(-1, i.imm);
        assertEquals(AluOps.ADD, i.sub);
        Insn jump = decode32(0xEB, 0xFE); // jmp $
        assertEquals(-2, jump.imm);
        assertTrue(jump.endsBlock);
    }

    @Test
    void shouldDecodeTwoByteOpcodesAndRegisterOnlyControlRegisterMoves() {
        Insn movzx = decode32(0x0F, 0xB6, 0x41, 0x03); // movzx eax, byte [ecx+3]
        assertEquals(0x1B6, movzx.opcode);
        assertEquals(4, movzx.length);
        // mov eax, cr0 encoded with mod=00: the 386 ignores mod, so no displacement follows.
        Insn readCr0 = decode32(0x0F, 0x20, 0x00);
        assertEquals(3, readCr0.length);
        assertFalse(readCr0.mem);
        assertEquals(Cpu.EAX, readCr0.rm);
        assertEquals(0, readCr0.reg);
    }

    @Test
    void shouldContinueABlockPastAConditionalBranchAndStopAtAnUnconditionalOne() {
        // cmp eax, ebx; jne +2; inc eax; jmp $
        rig.program(0x39, 0xD8, 0x75, 0x02, 0x40, 0xEB, 0xFE);
        Block b = decoder.decodeBlock(CpuRig.CODE, CpuRig.CODE, CpuRig.CODE, true);
        assertEquals(4, b.insns[b.insns.length - 1].countThrough, "guest instructions in the block");
        assertEquals(7, b.byteLength);
    }

    @Test
    void shouldFuseARegisterCompareWithTheFollowingConditionalBranch() {
        // cmp eax, ebx; jne +2; inc eax; jmp $
        rig.program(0x39, 0xD8, 0x75, 0x02, 0x40, 0xEB, 0xFE);
        Block b = decoder.decodeBlock(CpuRig.CODE, CpuRig.CODE, CpuRig.CODE, true);
        assertEquals(3, b.insns.length, "cmp+jne, inc, jmp");
        assertEquals(4, b.insns[0].length);
        assertEquals(2, b.insns[0].countThrough);
        assertEquals(2, b.insns[1].indexInBlock);
    }

    @Test
    void shouldNotFuseACompareWithAnIndexedMemoryOperand() {
        // cmp [eax+ecx], ebx; jne +2; jmp $
        rig.program(0x39, 0x1C, 0x08, 0x75, 0x02, 0xEB, 0xFE);
        Block b = decoder.decodeBlock(CpuRig.CODE, CpuRig.CODE, CpuRig.CODE, true);
        assertEquals(3, b.insns.length);
        assertEquals(3, b.insns[2].countThrough);
    }

    @Test
    void shouldRaiseInvalidOpcodeWhenExecutingBadEncodings() {
        assertRaises(CpuException.UD, 0xF0, 0x01, 0xC0); // lock add eax, eax: register destination
        assertRaises(CpuException.UD, 0xF0, 0x8B, 0x00); // lock mov: not lockable
        assertRaises(CpuException.UD, 0x8D, 0xC0); // lea with a register source
        assertRaises(CpuException.UD, 0xC6, 0x08, 0x01); // C6 with reg != 0
        assertRaises(CpuException.UD, 0x0F, 0x0B); // ud2
        assertRaises(CpuException.UD, 0x0F, 0xFF); // unassigned two-byte opcode
        assertRaises(CpuException.NM, 0xD8, 0xC1); // x87 escape without an FPU
    }

    @Test
    void shouldRaiseGeneralProtectionForInstructionsLongerThanFifteenBytes() {
        int[] fifteen = new int[15];
        java.util.Arrays.fill(fifteen, 0x66);
        fifteen[14] = 0x90; // 14 prefixes + NOP: the longest legal instruction
        Insn legal = decode32(fifteen);
        assertEquals(15, legal.length);
        legal.exec.run(rig.cpu, legal);

        int[] sixteen = new int[16];
        java.util.Arrays.fill(sixteen, 0x66);
        sixteen[15] = 0x90;
        assertRaises(CpuException.GP, sixteen);
    }

    @Test
    void shouldAcceptLockOnMemoryReadModifyWrite() {
        Insn i = decode32(0xF0, 0x01, 0x03); // lock add [ebx], eax
        Insn reference = decode32(0x01, 0x03);
        assertEquals(reference.exec.getClass(), i.exec.getClass());
    }

    private void assertRaises(int vector, int... bytes) {
        Insn i = decode32(bytes);
        try {
            i.exec.run(rig.cpu, i);
        } catch (CpuException e) {
            assertEquals(vector, e.vector, "vector for " + java.util.Arrays.toString(bytes));
            return;
        }
        throw new AssertionError("no exception for " + java.util.Arrays.toString(bytes));
    }
}
