package dev.twinstep.core.cpu.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.CpuException;
import dev.twinstep.core.cpu.Interrupts;
import dev.twinstep.core.cpu.MachineHalt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InterruptDeliveryTest extends ProtectedModeFixture {
    private static final int INTERRUPT_GATE32 = 0xE, TRAP_GATE32 = 0xF, INTERRUPT_GATE16 = 0x6;

    @BeforeEach
    void setUp() {
        enterFlatProtectedMode();
    }

    private int stack(int offset) {
        return memory.read32(cpu.regs[Cpu.ESP] + offset);
    }

    @Test
    void shouldDeliverThroughInterruptGateAtSamePrivilegeAndClearIfAndTf() {
        putIdt(0x20, gate(0x08, 0x00123456, INTERRUPT_GATE32, 0, 0));
        cpu.setEflags(Cpu.IF | Cpu.TF | Cpu.CF);
        cpu.nextEip = 0x1234;
        cpu.halted = true;

        cpu.interrupts.deliver(0x20, Interrupts.EXTERNAL, false, 0);

        assertEquals(0x8000 - 12, cpu.regs[Cpu.ESP]);
        assertEquals(0x1234, stack(0));
        assertEquals(0x08, stack(4));
        assertEquals(Cpu.IF | Cpu.TF | Cpu.CF | 2, stack(8));
        assertEquals(0x00123456, cpu.nextEip);
        assertEquals(0, cpu.getEflags() & (Cpu.IF | Cpu.TF));
        assertFalse(cpu.halted);
    }

    @Test
    void shouldKeepInterruptFlagThroughTrapGateAndPushErrorCode() {
        putIdt(13, gate(0x08, 0x5000, TRAP_GATE32, 0, 0));
        cpu.setEflags(Cpu.IF);
        cpu.nextEip = 0x1000;

        cpu.interrupts.deliver(13, Interrupts.EXCEPTION, true, 0x1234);

        assertEquals(0x1234, stack(0));
        assertEquals(0x1000, stack(4));
        assertTrue((cpu.getEflags() & Cpu.IF) != 0);
    }

    @Test
    void shouldPushWordsThroughSixteenBitGate() {
        putIdt(0x21, gate(0x08, 0xABCD5000, INTERRUPT_GATE16, 0, 0));
        cpu.nextEip = 0x1111;
        cpu.interrupts.deliver(0x21, Interrupts.EXTERNAL, false, 0);
        assertEquals(0x8000 - 6, cpu.regs[Cpu.ESP]);
        assertEquals(0x1111, memory.read16(0x8000 - 6));
        assertEquals(0x08, memory.read16(0x8000 - 4));
        assertEquals(0x5000, cpu.nextEip);
    }

    @Test
    void shouldSwitchToTheTssStackWhenInterruptingUserCode() {
        enterUserMode();
        putIdt(0x80, gate(0x08, 0x6000, INTERRUPT_GATE32, 3, 0));
        cpu.setEflags(Cpu.IF | Cpu.ZF);
        cpu.eip = 0x4000;
        cpu.nextEip = 0x4002;

        cpu.interrupts.deliver(0x80, Interrupts.SOFTWARE, false, 0);

        assertEquals(0, cpu.cpl);
        assertEquals(0x10, cpu.segSel[Cpu.SS]);
        assertEquals(0x08, cpu.segSel[Cpu.CS]);
        assertEquals(KERNEL_STACK_TOP - 20, cpu.regs[Cpu.ESP]);
        assertEquals(0x4002, stack(0));
        assertEquals(USER_CODE, stack(4));
        assertEquals(Cpu.IF | Cpu.ZF | 2, stack(8));
        assertEquals(USER_STACK_TOP, stack(12));
        assertEquals(USER_DATA, stack(16));
        assertEquals(USER_DATA, cpu.segSel[Cpu.DS], "data segments are kept on entry");
    }

    @Test
    void shouldRaiseGeneralProtectionWhenUserCodeUsesSupervisorGate() {
        enterUserMode();
        putIdt(0x81, gate(0x08, 0x6000, INTERRUPT_GATE32, 0, 0));
        putIdt(13, gate(0x08, 0x7700, INTERRUPT_GATE32, 0, 0));
        cpu.eip = 0x4000;
        cpu.nextEip = 0x4002;

        cpu.interrupts.deliver(0x81, Interrupts.SOFTWARE, false, 0);

        assertEquals(0x7700, cpu.nextEip);
        assertEquals(0x81 * 8 + 2, stack(0), "error code names the IDT entry, no EXT");
        assertEquals(0x4000, stack(4), "#GP returns to the INT instruction");
    }

    @Test
    void shouldNotCheckGateDplForExceptions() {
        enterUserMode();
        putIdt(14, gate(0x08, 0x6600, INTERRUPT_GATE32, 0, 0));
        cpu.nextEip = 0x4000;
        cpu.interrupts.deliver(14, Interrupts.EXCEPTION, true, 6);
        assertEquals(0x6600, cpu.nextEip);
        assertEquals(6, stack(0));
    }

    @Test
    void shouldSetExtBitWhenExternalInterruptHitsNotPresentGate() {
        putIdt(0x30, gate(0x08, 0x6000, INTERRUPT_GATE32, 0, 0) & ~(1L << 47));
        putIdt(CpuException.NP, gate(0x08, 0x6100, INTERRUPT_GATE32, 0, 0));
        cpu.nextEip = 0x1000;
        cpu.interrupts.deliver(0x30, Interrupts.EXTERNAL, false, 0);
        assertEquals(0x6100, cpu.nextEip);
        assertEquals(0x30 * 8 + 3, stack(0));
    }

    @Test
    void shouldEscalateFaultDuringPageFaultDeliveryToDoubleFault() {
        putIdt(CpuException.PF, gate(0x08, 0x6000, INTERRUPT_GATE32, 0, 0) & ~(1L << 47));
        putIdt(CpuException.DF, gate(0x08, 0x6800, INTERRUPT_GATE32, 0, 0));
        cpu.nextEip = 0x1000;
        cpu.interrupts.deliver(CpuException.PF, Interrupts.EXCEPTION, true, 2);
        assertEquals(0x6800, cpu.nextEip);
        assertEquals(0, stack(0), "#DF error code");
        assertEquals(0x1000, stack(4));
    }

    @Test
    void shouldShutDownWhenDoubleFaultCannotBeDelivered() {
        cpu.idtrLimit = 8 * 8 - 1; // vectors 0-7: #GP and #DF have no entry
        cpu.nextEip = 0x1000;
        MachineHalt halt = assertThrows(MachineHalt.class,
                () -> cpu.interrupts.deliver(CpuException.GP, Interrupts.EXCEPTION, true, 0));
        assertEquals(MachineHalt.Kind.SHUTDOWN, halt.kind);
        assertTrue(halt.getMessage().startsWith("triple fault"), halt.getMessage());
        assertTrue(halt.getMessage().contains("0008:"), halt.getMessage());
    }

    @Test
    void shouldRaiseStackFaultWhenInnerStackIsNotPresentAndKeepTheContext() {
        enterUserMode();
        putGdt(6, descriptor(0, 0xFFFFF, 0x13, 0, false, 0xC));
        memory.write32(TSS + 8, 0x30);
        putIdt(0x40, gate(0x08, 0x6000, INTERRUPT_GATE32, 0, 0));
        putIdt(CpuException.SS, gate(0x08, 0x6200, INTERRUPT_GATE32, 0, 0));
        cpu.nextEip = 0x4000;
        // #SS(0x30+EXT) during an external interrupt is delivered; its own delivery needs the same
        // stack -> #DF, whose gate is missing -> shutdown.
        MachineHalt halt = assertThrows(MachineHalt.class,
                () -> cpu.interrupts.deliver(0x40, Interrupts.EXTERNAL, false, 0));
        assertTrue(halt.getMessage().contains("#DF for vector 12 after vector 12"), halt.getMessage());
        assertEquals(3, cpu.cpl, "the interrupted context is intact");
        assertEquals(USER_STACK_TOP, cpu.regs[Cpu.ESP]);
    }

    @Test
    void shouldRaiseInvalidTssWithExtBitForBadInnerStackSelector() {
        enterUserMode();
        putGdt(7, descriptor(0, 0xFFFFF, 0x1E, 0, true, 0xC)); // conforming code: runs #TS at CPL 3
        memory.write32(TSS + 8, 0x13);
        putIdt(0x40, gate(0x08, 0x6000, INTERRUPT_GATE32, 0, 0));
        putIdt(CpuException.TS, gate(0x38, 0x6300, INTERRUPT_GATE32, 0, 0));
        cpu.nextEip = 0x4000;

        cpu.interrupts.deliver(0x40, Interrupts.EXTERNAL, false, 0);

        assertEquals(0x6300, cpu.nextEip);
        assertEquals(3, cpu.cpl);
        assertEquals(USER_STACK_TOP - 16, cpu.regs[Cpu.ESP]);
        assertEquals(0x10 | 1, stack(0), "SS selector with EXT");
        assertEquals(0x4000, stack(4));
    }

    @Test
    void shouldRaiseGeneralProtectionBeyondRealModeIdtLimitAndEventuallyShutDown() {
        cpu.reset();
        cpu.idtrLimit = 0x1F;
        cpu.regs[Cpu.ESP] = 0x1000;
        assertThrows(MachineHalt.class, () -> cpu.interrupts.deliver(0x20, Interrupts.SOFTWARE, false, 0));
    }

    @Test
    void shouldDeliverThroughRealModeVectorTable() {
        cpu.reset();
        memory.write16(0x21 * 4, 0x1234);
        memory.write16(0x21 * 4 + 2, 0x5678);
        cpu.regs[Cpu.ESP] = 0x1000;
        cpu.nextEip = 0x0100;
        cpu.interrupts.deliver(0x21, Interrupts.SOFTWARE, false, 0);
        assertEquals(0x1234, cpu.nextEip);
        assertEquals(0x56780, cpu.segBase[Cpu.CS]);
        assertEquals(0x0100, memory.read16(0x0FFA));
    }
}
