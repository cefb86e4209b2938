package dev.twinstep.devices.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.pic.PicPair;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The IOAPIC programmed through IOREGSEL/IOWIN, delivering into a real local APIC. */
class IoApicTest {
    private final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> 0L);
    private final GuestMemory memory = new GuestMemory(2L * 1024 * 1024);
    private final LocalApic lapic = new LocalApic(clock);
    private final IoApic ioApic = new IoApic(lapic, 1);
    private final PicPair pic = new PicPair();

    @BeforeEach
    void attach() {
        IoBus io = new IoBus();
        lapic.attach(io, memory);
        ioApic.attach(io, memory);
        memory.write32(LocalApic.BASE_ADDRESS + LocalApic.REG_SVR, 0x1FF);
    }

    private int readRegister(int reg) {
        memory.write32(IoApic.BASE_ADDRESS, reg);
        return memory.read32(IoApic.BASE_ADDRESS + 0x10);
    }

    private void writeRegister(int reg, int value) {
        memory.write32(IoApic.BASE_ADDRESS, reg);
        memory.write32(IoApic.BASE_ADDRESS + 0x10, value);
    }

    private void route(int pin, int low, int destination) {
        writeRegister(0x11 + 2 * pin, destination << 24);
        writeRegister(0x10 + 2 * pin, low);
    }

    @Test
    void shouldReportIdVersionAndMaskedEntriesAfterReset() {
        assertEquals(1 << 24, readRegister(0x00));
        assertEquals(0x00170020, readRegister(0x01));
        for (int pin = 0; pin < IoApic.PINS; pin++) {
            assertEquals(0x10000, readRegister(0x10 + 2 * pin));
        }
    }

    @Test
    void shouldRouteIsaIrq0ThroughPin2ToItsVector() {
        IsaIrqRouting.line(0, pic.irq(0), ioApic).pulse();
        assertFalse(lapic.hasDeliverableInterrupt(), "the entry is masked");
        route(2, 0x30, 0);
        assertTrue(lapic.hasDeliverableInterrupt(), "an edge seen while masked is delivered on unmask");
        assertEquals(0x30, lapic.acknowledge());
        memory.write32(LocalApic.BASE_ADDRESS + LocalApic.REG_EOI, 0);
        IsaIrqRouting.line(0, pic.irq(0), ioApic).pulse();
        assertEquals(0x30, lapic.acknowledge());
        assertTrue((pic.requestRegister() & 1) != 0, "the PIC sees IRQ 0 too");
    }

    @Test
    void shouldHoldLevelInterruptInRemoteIrrUntilEoi() {
        route(9, (int) IoApic.ENTRY_LEVEL | 0x39, 0);
        ioApic.setPin(9, true);
        assertTrue((readRegister(0x10 + 18) & IoApic.ENTRY_REMOTE_IRR) != 0);
        assertEquals(0x39, lapic.acknowledge());
        memory.write32(LocalApic.BASE_ADDRESS + LocalApic.REG_EOI, 0);
        assertTrue(lapic.hasDeliverableInterrupt(), "still asserted after EOI: delivered again");
        assertEquals(0x39, lapic.acknowledge());
        ioApic.setPin(9, false);
        memory.write32(LocalApic.BASE_ADDRESS + LocalApic.REG_EOI, 0);
        assertEquals(0, readRegister(0x10 + 18) & (int) IoApic.ENTRY_REMOTE_IRR);
        assertFalse(lapic.hasDeliverableInterrupt());
    }

    @Test
    void shouldClearRemoteIrrThroughTheDirectedEoiRegister() {
        route(10, (int) IoApic.ENTRY_LEVEL | 0x3A, 0);
        ioApic.setPin(10, true);
        ioApic.setPin(10, false);
        assertTrue((readRegister(0x10 + 20) & IoApic.ENTRY_REMOTE_IRR) != 0);
        memory.write32(IoApic.BASE_ADDRESS + 0x40, 0x3A);
        assertEquals(0, readRegister(0x10 + 20) & (int) IoApic.ENTRY_REMOTE_IRR);
    }

    @Test
    void shouldIgnoreMessagesForAnotherApic() {
        route(4, 0x34, 5);
        ioApic.setPin(4, true);
        assertFalse(lapic.hasDeliverableInterrupt());
    }

    @Test
    void shouldPassPicThroughUnmaskedExtIntOnPin0() {
        assertFalse(ioApic.passesPicInterrupts());
        route(0, 0x700, 0);
        assertTrue(ioApic.passesPicInterrupts());
    }
}
