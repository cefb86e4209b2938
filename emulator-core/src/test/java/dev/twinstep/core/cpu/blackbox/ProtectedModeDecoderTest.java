package dev.twinstep.core.cpu.blackbox;

import static dev.twinstep.core.cpu.blackbox.RealModeDecoderTest.hex;
import static dev.twinstep.core.cpu.blackbox.RealModeDecoderTest.prefixed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinstep.core.cpu.Cpu;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoder corner cases in flat 32-bit protected mode: ModRM and SIB forms with their default
 * segments, the operand- and address-size prefixes (which select 16 bits here), and the 15-byte
 * limit delivered as #GP(0) through the IDT. DS, SS and ES get different hidden bases so that the
 * marker read shows which segment the CPU used.
 */
class ProtectedModeDecoderTest {
    private static final int SS_BASE = 0x100000, ES_BASE = 0x200000;

    private final TestMachine machine = TestMachine.flat32();
    private final Cpu cpu = machine.cpu;

    static Stream<Arguments> addressingForms() {
        return Stream.of(
                form("[ebx]", Cpu.DS, 0x2000, 0x8B, 0x03),
                form("[disp32] (mod 00, rm 101)", Cpu.DS, 0x12345, 0x8B, 0x05, 0x45, 0x23, 0x01, 0x00),
                form("[ebp+disp8] defaults to SS", Cpu.SS, 0x3008, 0x8B, 0x45, 0x08),
                form("[ebp+disp32] defaults to SS", Cpu.SS, 0x4000, 0x8B, 0x85, 0x00, 0x10, 0x00, 0x00),
                form("[esp]: SIB without index defaults to SS", Cpu.SS, 0x4000, 0x8B, 0x04, 0x24),
                form("[esp+disp8] defaults to SS", Cpu.SS, 0x4008, 0x8B, 0x44, 0x24, 0x08),
                form("[ebx+ecx]", Cpu.DS, 0x2010, 0x8B, 0x04, 0x0B),
                form("[ebx+ecx*2]", Cpu.DS, 0x2020, 0x8B, 0x04, 0x4B),
                form("[ebx+ecx*4]", Cpu.DS, 0x2040, 0x8B, 0x04, 0x8B),
                form("[ebx+ecx*8]", Cpu.DS, 0x2080, 0x8B, 0x04, 0xCB),
                form("[ecx*4+disp32]: SIB base 101 with mod 00 has no base", Cpu.DS, 0x5040,
                        0x8B, 0x04, 0x8D, 0x00, 0x50, 0x00, 0x00),
                form("[disp32] through a SIB with neither base nor index", Cpu.DS, 0x6000,
                        0x8B, 0x04, 0x25, 0x00, 0x60, 0x00, 0x00),
                form("[ebp+ecx*4+disp8]: SIB base 101 with mod 01 is EBP and SS", Cpu.SS, 0x3050,
                        0x8B, 0x44, 0x8D, 0x10),
                form("[ebx+ebp]: EBP as index keeps DS", Cpu.DS, 0x5000, 0x8B, 0x04, 0x2B),
                form("[ebx]: a scale without index is ignored", Cpu.DS, 0x2000, 0x8B, 0x04, 0xE3),
                form("[esp+ecx] defaults to SS", Cpu.SS, 0x4010, 0x8B, 0x04, 0x0C),
                form("[ebx+ecx*2+disp32]", Cpu.DS, 0x2120, 0x8B, 0x84, 0x4B, 0x00, 0x01, 0x00, 0x00),
                form("[edi+negative disp8]", Cpu.DS, 0x70F0, 0x8B, 0x47, 0xF0),
                form("ds:[esp] overrides the SS default", Cpu.DS, 0x4000, 0x3E, 0x8B, 0x04, 0x24),
                form("ss:[ebx]", Cpu.SS, 0x2000, 0x36, 0x8B, 0x03),
                form("es:[ebp+disp8]", Cpu.ES, 0x3008, 0x26, 0x8B, 0x45, 0x08),
                form("ss: then es: -- the last segment override wins", Cpu.ES, 0x2000, 0x36, 0x26, 0x8B, 0x03),
                form("0x67: [bp+si] defaults to SS, upper register halves ignored", Cpu.SS, 0xA000, 0x67, 0x8B, 0x02),
                form("0x67: [bx+disp16]", Cpu.DS, 0x2010, 0x67, 0x8B, 0x87, 0x10, 0x00),
                form("0x67: [disp16] (mod 00, rm 110)", Cpu.DS, 0x1234, 0x67, 0x8B, 0x06, 0x34, 0x12),
                form("0x67: [si+disp16] wraps at 64 KiB", Cpu.DS, 0x0F00, 0x67, 0x8B, 0x84, 0x00, 0x9F),
                form("0x67 twice is still 16-bit addressing", Cpu.DS, 0x2010, 0x67, 0x67, 0x8B, 0x87, 0x10, 0x00));
    }

    private static Arguments form(String description, int segment, int offset, int... bytes) {
        return Arguments.of(description, segment, offset, bytes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("addressingForms")
    void shouldLoadFromTheOffsetAndSegmentTheFormSelects(String description, int segment, int offset, int[] bytes) {
        useDistinctSegmentBases();
        cpu.regs[Cpu.EBX] = 0x2000;
        cpu.regs[Cpu.ECX] = 0x10;
        cpu.regs[Cpu.EBP] = 0x3000;
        cpu.regs[Cpu.ESP] = 0x4000;
        cpu.regs[Cpu.ESI] = 0xABCD7000;
        cpu.regs[Cpu.EDI] = 0x7100;
        for (int s : new int[] {Cpu.DS, Cpu.SS, Cpu.ES}) {
            machine.poke32(cpu.segBase[s] + offset, marker(s, offset));
        }
        machine.program(bytes);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + bytes.length);
        assertEquals(hex(marker(segment, offset)), hex(cpu.regs[Cpu.EAX]), description);
    }

    @Test
    void shouldLoadASixteenBitImmediateWithTheOperandSizePrefixKeepingTheUpperHalf() {
        cpu.regs[Cpu.EAX] = 0xABCD0000;
        machine.program(0x66, 0xB8, 0x34, 0x12);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 4);
        assertEquals(hex(0xABCD1234), hex(cpu.regs[Cpu.EAX]));
    }

    @Test
    void shouldStoreOnlyAWordWithTheOperandSizePrefix() {
        cpu.regs[Cpu.EAX] = 0x11223344;
        cpu.regs[Cpu.EBX] = 0x2000;
        machine.poke32(0x2000, 0xFFFFFFFF);
        machine.program(0x66, 0x89, 0x03);

        machine.runToHalt();

        assertEquals(hex(0xFFFF3344), hex(machine.read32(0x2000)));
    }

    @Test
    void shouldReadAWordThroughSixteenBitAddressingWithBothPrefixes() {
        cpu.regs[Cpu.EAX] = 0x55550000;
        cpu.regs[Cpu.EBX] = 0x77772000;
        machine.poke32(0x2000, 0xBEEFCAFE);
        machine.program(0x66, 0x67, 0x8B, 0x07);

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 4);
        assertEquals(hex(0x5555CAFE), hex(cpu.regs[Cpu.EAX]));
    }

    @Test
    void shouldDecodeATwoByteOpcodeWithSibAddressing() {
        cpu.regs[Cpu.EBX] = 0x2000;
        cpu.regs[Cpu.ECX] = 0x10;
        cpu.regs[Cpu.EAX] = 0xFFFFFFFF;
        machine.poke32(0x2020, 0xFFFF8765);
        machine.program(0x0F, 0xB7, 0x04, 0x4B); // movzx eax, word [ebx+ecx*2]

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 4);
        assertEquals(hex(0x00008765), hex(cpu.regs[Cpu.EAX]));
    }

    @Test
    void shouldApplyTheOperandSizePrefixToATwoByteOpcode() {
        cpu.regs[Cpu.EAX] = 0xABCD0000;
        cpu.regs[Cpu.EBX] = 0x000000F0;
        machine.program(0x66, 0x0F, 0xBE, 0xC3); // movsx ax, bl

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 4);
        assertEquals(hex(0xABCDFFF0), hex(cpu.regs[Cpu.EAX]));
    }

    @Test
    void shouldPushOnlyAWordWithTheOperandSizePrefix() {
        cpu.regs[Cpu.EAX] = 0x11223344;
        machine.program(0x66, 0x50);

        machine.runToHalt();

        assertEquals(TestMachine.STACK_TOP - 2, cpu.regs[Cpu.ESP]);
        assertEquals(0x3344, machine.read16(TestMachine.STACK_TOP - 2));
    }

    @Test
    void shouldCountAndAddressARepStringWithSixteenBitRegistersUnderTheAddressSizePrefix() {
        cpu.regs[Cpu.ECX] = 0x00010002;
        cpu.regs[Cpu.ESI] = 0xFFFF2000;
        cpu.regs[Cpu.EDI] = 0xFFFF3000;
        machine.poke(0x2000, 0xA1, 0xA2, 0xA3);
        machine.program(0x67, 0xF3, 0xA4);

        machine.runToHalt();

        assertEquals(hex(0x00010000), hex(cpu.regs[Cpu.ECX]), "only CX counts");
        assertEquals(hex(0xFFFF2002), hex(cpu.regs[Cpu.ESI]), "only SI steps");
        assertEquals(hex(0xFFFF3002), hex(cpu.regs[Cpu.EDI]), "only DI steps");
        assertEquals(hex(0x0000A2A1), hex(machine.read32(0x3000)));
    }

    @Test
    void shouldExecuteAFifteenByteInstruction() {
        cpu.regs[Cpu.EBX] = 0x2000;
        cpu.regs[Cpu.ECX] = 0x10;
        machine.program(prefixed(4, 0x3E, movDwordToEbxPlusEcxTimes4PlusDisp32(0x100, 0xDEADBEEF)));

        machine.runToHalt();

        machine.assertHaltedAfter(TestMachine.CODE + 15);
        assertEquals(hex(0xDEADBEEF), hex(machine.read32(0x2140)));
    }

    @Test
    void shouldRaiseGeneralProtectionWithErrorCodeZeroForASixteenByteInstruction() {
        cpu.regs[Cpu.EBX] = 0x2000;
        cpu.regs[Cpu.ECX] = 0x10;
        machine.program(prefixed(5, 0x3E, movDwordToEbxPlusEcxTimes4PlusDisp32(0x100, 0xDEADBEEF)));

        machine.runToHalt();

        machine.assertDelivered(13);
        int esp = cpu.regs[Cpu.ESP];
        assertEquals(TestMachine.STACK_TOP - 16, esp, "ESP after error code, EIP, CS, EFLAGS");
        assertEquals(0, machine.read32(esp), "error code");
        assertEquals(hex(TestMachine.CODE), hex(machine.read32(esp + 4)), "pushed EIP: the first prefix");
        assertEquals(TestMachine.CODE32_SELECTOR, machine.read32(esp + 8) & 0xFFFF, "pushed CS");
        assertEquals(0, machine.read32(0x2140), "the faulting store must not happen");
    }

    @Test
    void shouldRaiseInvalidOpcodeForLockOnARegisterDestination() {
        machine.program(0xF0, 0x01, 0xC0);

        machine.runToHalt();

        machine.assertDelivered(6);
        assertEquals(hex(TestMachine.CODE), hex(machine.read32(cpu.regs[Cpu.ESP])), "pushed EIP");
    }

    /** {@code mov dword [ebx+ecx*4+disp32], imm32}: 11 bytes. */
    private static int[] movDwordToEbxPlusEcxTimes4PlusDisp32(int displacement, int immediate) {
        return new int[] {0xC7, 0x84, 0x8B,
            displacement & 0xFF, (displacement >>> 8) & 0xFF, (displacement >>> 16) & 0xFF, displacement >>> 24,
            immediate & 0xFF, (immediate >>> 8) & 0xFF, (immediate >>> 16) & 0xFF, immediate >>> 24};
    }

    private void useDistinctSegmentBases() {
        cpu.segBase[Cpu.SS] = SS_BASE;
        cpu.segBase[Cpu.ES] = ES_BASE;
    }

    private int marker(int segment, int offset) {
        return ((segment + 1) * 0x11000000) | offset;
    }
}
