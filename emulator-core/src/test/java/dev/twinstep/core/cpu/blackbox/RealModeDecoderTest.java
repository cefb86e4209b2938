package dev.twinstep.core.cpu.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinstep.core.cpu.Cpu;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoder corner cases in real mode: every 16-bit addressing form and its default segment, segment
 * override and repeated prefixes, the operand- and address-size prefixes, and the 15-byte limit.
 * Each form loads AX from memory where DS, SS and ES hold different markers at the expected offset,
 * so the value read shows both the offset and the segment the CPU used.
 */
class RealModeDecoderTest {
    private static final int DS_SELECTOR = 0x1000, SS_SELECTOR = 0x2000, ES_SELECTOR = 0x3000;

    private final TestMachine machine = TestMachine.realMode();
    private final Cpu cpu = machine.cpu;

    static Stream<Arguments> addressingForms() {
        return Stream.of(
                form("[bx+si]", Cpu.DS, 0x1130, 0x8B, 0x00),
                form("[bx+di]", Cpu.DS, 0x1105, 0x8B, 0x01),
                form("[bp+si] defaults to SS", Cpu.SS, 0x2230, 0x8B, 0x02),
                form("[bp+di] defaults to SS", Cpu.SS, 0x2205, 0x8B, 0x03),
                form("[si]", Cpu.DS, 0x0030, 0x8B, 0x04),
                form("[di]", Cpu.DS, 0x0005, 0x8B, 0x05),
                form("[disp16] (mod 00, rm 110)", Cpu.DS, 0x3456, 0x8B, 0x06, 0x56, 0x34),
                form("[bx]", Cpu.DS, 0x1100, 0x8B, 0x07),
                form("[bx+si+disp8]", Cpu.DS, 0x11AF, 0x8B, 0x40, 0x7F),
                form("[bx+di+negative disp8]", Cpu.DS, 0x10F5, 0x8B, 0x41, 0xF0),
                form("[bp+si+disp8] defaults to SS", Cpu.SS, 0x2240, 0x8B, 0x42, 0x10),
                form("[bp+di+disp8] defaults to SS", Cpu.SS, 0x2206, 0x8B, 0x43, 0x01),
                form("[si+disp8]", Cpu.DS, 0x0032, 0x8B, 0x44, 0x02),
                form("[di+disp8]", Cpu.DS, 0x0008, 0x8B, 0x45, 0x03),
                form("[bp+disp8] defaults to SS", Cpu.SS, 0x2210, 0x8B, 0x46, 0x10),
                form("[bp-disp8] defaults to SS", Cpu.SS, 0x21F0, 0x8B, 0x46, 0xF0),
                form("[bx+disp8]", Cpu.DS, 0x1104, 0x8B, 0x47, 0x04),
                form("[bx+si+disp16]", Cpu.DS, 0x2130, 0x8B, 0x80, 0x00, 0x10),
                form("[bp+di+disp16] defaults to SS", Cpu.SS, 0x2305, 0x8B, 0x83, 0x00, 0x01),
                form("[bp+disp16] defaults to SS", Cpu.SS, 0x3434, 0x8B, 0x86, 0x34, 0x12),
                form("[bx+disp16] wraps at 64 KiB", Cpu.DS, 0x0100, 0x8B, 0x87, 0x00, 0xF0),
                form("[bp+si+disp16] wraps at 64 KiB", Cpu.SS, 0x0230, 0x8B, 0x82, 0x00, 0xE0),
                form("es:[bx]", Cpu.ES, 0x1100, 0x26, 0x8B, 0x07),
                form("ds:[bp+disp8] overrides the SS default", Cpu.DS, 0x2210, 0x3E, 0x8B, 0x46, 0x10),
                form("ss:[si]", Cpu.SS, 0x0030, 0x36, 0x8B, 0x04),
                form("cs: then es: -- the last segment override wins", Cpu.ES, 0x2200, 0x2E, 0x26, 0x8B, 0x46, 0x00),
                form("repeated es: prefixes", Cpu.ES, 0x1100, 0x26, 0x26, 0x26, 0x8B, 0x07),
                form("rep prefix on a non-string instruction is ignored", Cpu.DS, 0x1100, 0xF3, 0x8B, 0x07),
                form("0x67: [ebx+ecx*2]", Cpu.DS, 0x1110, 0x67, 0x8B, 0x04, 0x4B),
                form("0x67: [ebp+disp8] defaults to SS", Cpu.SS, 0x2210, 0x67, 0x8B, 0x45, 0x10),
                form("0x67: [esp] defaults to SS", Cpu.SS, TestMachine.STACK_TOP, 0x67, 0x8B, 0x04, 0x24),
                form("0x67: [disp32] (mod 00, rm 101)", Cpu.DS, 0x5678, 0x67, 0x8B, 0x05, 0x78, 0x56, 0x00, 0x00),
                form("0x67: [ecx*4+disp32] (SIB base 101, mod 00)", Cpu.DS, 0x0120, 0x67, 0x8B, 0x04, 0x8D,
                        0x00, 0x01, 0x00, 0x00),
                form("0x67 with es: override", Cpu.ES, 0x1100, 0x26, 0x67, 0x8B, 0x03));
    }

    private static Arguments form(String description, int segment, int offset, int... bytes) {
        return Arguments.of(description, segment, offset, bytes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("addressingForms")
    void shouldLoadFromTheOffsetAndSegmentTheFormSelects(String description, int segment, int offset, int[] bytes) {
        useDistinctDataSegments();
        cpu.regs[Cpu.EBX] = 0x1100;
        cpu.regs[Cpu.EBP] = 0x2200;
        cpu.regs[Cpu.ESI] = 0x0030;
        cpu.regs[Cpu.EDI] = 0x0005;
        cpu.regs[Cpu.ECX] = 0x0008;
        for (int s : new int[] {Cpu.DS, Cpu.SS, Cpu.ES}) {
            machine.poke16(cpu.segBase[s] + offset, marker(s, offset));
        }
        machine.program(bytes);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + bytes.length);
        assertEquals(hex(marker(segment, offset)), hex(cpu.regs[Cpu.EAX] & 0xFFFF), description);
    }

    @Test
    void shouldLoadAThirtyTwoBitImmediateWithTheOperandSizePrefix() {
        machine.program(0x66, 0xB8, 0x78, 0x56, 0x34, 0x12);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 6);
        assertEquals(hex(0x12345678), hex(cpu.regs[Cpu.EAX]));
    }

    @Test
    void shouldTreatARepeatedOperandSizePrefixAsOne() {
        machine.program(0x66, 0x66, 0xB9, 0x44, 0x33, 0x22, 0x11);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 7);
        assertEquals(hex(0x11223344), hex(cpu.regs[Cpu.ECX]));
    }

    @Test
    void shouldAddThirtyTwoBitRegistersWithTheOperandSizePrefix() {
        cpu.regs[Cpu.EAX] = 0x0000FFFF;
        cpu.regs[Cpu.EBX] = 1;
        machine.program(0x66, 0x01, 0xD8);

        machine.runToHalt();

        assertEquals(hex(0x00010000), hex(cpu.regs[Cpu.EAX]));
    }

    @Test
    void shouldLeaveTheUpperHalfAloneWithoutTheOperandSizePrefix() {
        cpu.regs[Cpu.EAX] = 0xABCD0000;
        machine.program(0xB8, 0x34, 0x12);

        machine.runToHalt();

        assertEquals(hex(0xABCD1234), hex(cpu.regs[Cpu.EAX]));
    }

    @Test
    void shouldLoadADwordThroughThirtyTwoBitAddressingWithBothSizePrefixes() {
        useDistinctDataSegments();
        cpu.regs[Cpu.EBX] = 0x1100;
        machine.poke32(cpu.segBase[Cpu.DS] + 0x1100, 0xCAFEF00D);
        machine.program(0x66, 0x67, 0x8B, 0x03);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 4);
        assertEquals(hex(0xCAFEF00D), hex(cpu.regs[Cpu.EAX]));
    }

    @Test
    void shouldRepeatAStringInstructionOnceForRepeatedRepPrefixes() {
        useDistinctDataSegments();
        cpu.regs[Cpu.ECX] = 3;
        cpu.regs[Cpu.ESI] = 0x10;
        cpu.regs[Cpu.EDI] = 0x20;
        machine.poke(cpu.segBase[Cpu.DS] + 0x10, 0xA1, 0xA2, 0xA3, 0xA4);
        machine.program(0xF3, 0xF3, 0xA4);

        machine.runToHalt();

        assertEquals(0, cpu.regs[Cpu.ECX]);
        assertEquals(hex(0x00A3A2A1), hex(machine.read32(cpu.segBase[Cpu.ES] + 0x20)));
    }

    @Test
    void shouldReadAStringSourceThroughTheSegmentOverride() {
        useDistinctDataSegments();
        cpu.regs[Cpu.ESI] = 0x10;
        cpu.regs[Cpu.EDI] = 0x40;
        machine.poke(cpu.segBase[Cpu.ES] + 0x10, 0x5A);
        machine.poke(cpu.segBase[Cpu.DS] + 0x10, 0xD5);
        machine.program(0x26, 0xA4);

        machine.runToHalt();

        assertEquals(0x5A, machine.memory.read8(cpu.segBase[Cpu.ES] + 0x40));
        assertEquals(0x00, machine.memory.read8(cpu.segBase[Cpu.DS] + 0x40));
    }

    @Test
    void shouldKeepEsForAStringDestinationDespiteASegmentOverride() {
        useDistinctDataSegments();
        cpu.regs[Cpu.EAX] = 0x66;
        cpu.regs[Cpu.EDI] = 0x40;
        machine.program(0x2E, 0xAA);

        machine.runToHalt();

        assertEquals(0x66, machine.memory.read8(cpu.segBase[Cpu.ES] + 0x40));
        assertEquals(0x41, cpu.regs[Cpu.EDI]);
    }

    @Test
    void shouldRaiseGeneralProtectionForAWordAtOffsetFFFF() {
        cpu.regs[Cpu.EBX] = 0xFFFF;
        machine.program(0x8B, 0x07);

        machine.runToHalt();

        assertFaultFrameOfInstructionAtCode(13);
    }

    @Test
    void shouldRaiseGeneralProtectionForAThirtyTwoBitOffsetBeyondTheRealModeLimit() {
        cpu.regs[Cpu.EBX] = 0x10000;
        machine.program(0x67, 0x8B, 0x03);

        machine.runToHalt();

        assertFaultFrameOfInstructionAtCode(13);
    }

    @Test
    void shouldExecuteAFifteenByteInstruction() {
        int[] bytes = prefixed(14, 0x3E, 0x90);
        machine.program(bytes);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 15);
    }

    @Test
    void shouldRaiseGeneralProtectionForASixteenByteInstruction() {
        machine.program(prefixed(15, 0x3E, 0x90));

        machine.runToHalt();

        assertFaultFrameOfInstructionAtCode(13);
    }

    @Test
    void shouldRaiseInvalidOpcodeForLockOnARegisterDestination() {
        machine.program(0xF0, 0x01, 0xC0);

        machine.runToHalt();

        assertFaultFrameOfInstructionAtCode(6);
    }

    @Test
    void shouldAcceptLockOnAMemoryDestination() {
        useDistinctDataSegments();
        cpu.regs[Cpu.EBX] = 0x100;
        cpu.regs[Cpu.EAX] = 5;
        machine.poke16(cpu.segBase[Cpu.DS] + 0x100, 37);
        machine.program(0xF0, 0x01, 0x07);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 3);
        assertEquals(42, machine.read16(cpu.segBase[Cpu.DS] + 0x100));
    }

    /** A real-mode fault pushes FLAGS, CS and the IP of the faulting instruction's first byte. */
    private void assertFaultFrameOfInstructionAtCode(int vector) {
        machine.assertDelivered(vector);
        assertEquals(TestMachine.STACK_TOP - 6, cpu.regs[Cpu.ESP] & 0xFFFF, "SP after the 6-byte frame");
        int frame = cpu.segBase[Cpu.SS] + TestMachine.STACK_TOP - 6;
        assertEquals(hex(TestMachine.CODE), hex(machine.read16(frame)), "pushed IP");
        assertEquals(0, machine.read16(frame + 2), "pushed CS");
    }

    static int[] prefixed(int count, int prefix, int... instruction) {
        int[] bytes = new int[count + instruction.length];
        java.util.Arrays.fill(bytes, 0, count, prefix);
        System.arraycopy(instruction, 0, bytes, count, instruction.length);
        return bytes;
    }

    private void useDistinctDataSegments() {
        machine.loadRealSegment(Cpu.DS, DS_SELECTOR);
        machine.loadRealSegment(Cpu.SS, SS_SELECTOR);
        machine.loadRealSegment(Cpu.ES, ES_SELECTOR);
    }

    private int marker(int segment, int offset) {
        return (0x1111 * (segment + 1)) ^ offset;
    }

    static String hex(int value) {
        return String.format("%08X", value);
    }
}
