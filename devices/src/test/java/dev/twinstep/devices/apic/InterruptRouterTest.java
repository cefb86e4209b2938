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

/** The CPU's view of the PIC and the APICs combined. */
class InterruptRouterTest {
    private final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> 0L);
    private final GuestMemory memory = new GuestMemory(2L * 1024 * 1024);
    private final IoBus io = new IoBus();
    private final LocalApic lapic = new LocalApic(clock);
    private final IoApic ioApic = new IoApic(lapic, 1);
    private final PicPair pic = new PicPair();
    private final InterruptRouter router = new InterruptRouter(lapic, ioApic, pic);

    @BeforeEach
    void attach() {
        lapic.attach(io, memory);
        ioApic.attach(io, memory);
        pic.attach(io, memory);
        io.write(0x20, 1, 0x11);
        io.write(0x21, 1, 0x08);
        io.write(0x21, 1, 0x04);
        io.write(0x21, 1, 0x01);
        io.write(0x21, 1, 0x00);
    }

    @Test
    void shouldPassPicInterruptsStraightThroughAfterReset() {
        pic.setIrq(0, true);
        assertTrue(router.hasPendingInterrupt());
        assertEquals(0x08, router.acknowledge());
    }

    @Test
    void shouldBlockPicWhenLint0IsMaskedAndNoExtIntPinIsOpen() {
        memory.write32(LocalApic.BASE_ADDRESS + LocalApic.REG_SVR, 0x1FF);
        memory.write32(LocalApic.BASE_ADDRESS + LocalApic.REG_LVT_LINT0, LocalApic.LVT_MASKED | 0x700);
        pic.setIrq(0, true);
        assertFalse(router.hasPendingInterrupt());
    }

    @Test
    void shouldPreferLocalApicInterruptsOverThePic() {
        memory.write32(LocalApic.BASE_ADDRESS + LocalApic.REG_SVR, 0x1FF);
        pic.setIrq(1, true);
        lapic.deliver(0x50, LocalApic.DELIVERY_FIXED, false);
        assertEquals(0x50, router.acknowledge());
        assertEquals(0x09, router.acknowledge());
    }
}
