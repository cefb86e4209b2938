package dev.twinstep.devices.pic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 8259A pair programmed through its ports the way Linux and SeaBIOS program it. */
class PicPairTest {
    private final IoBus io = new IoBus();
    private final PicPair pic = new PicPair();

    @BeforeEach
    void initializeLikeLinux() {
        pic.attach(io, new GuestMemory(2L * 1024 * 1024));
        io.write(0x20, 1, 0x11); // ICW1: edge, cascade, ICW4 needed
        io.write(0xA0, 1, 0x11);
        io.write(0x21, 1, 0x20); // ICW2: vectors 0x20-0x27
        io.write(0xA1, 1, 0x28); //        and 0x28-0x2F
        io.write(0x21, 1, 0x04); // ICW3: slave on IRQ 2
        io.write(0xA1, 1, 0x02);
        io.write(0x21, 1, 0x01); // ICW4: 8086 mode
        io.write(0xA1, 1, 0x01);
        io.write(0x21, 1, 0x00); // OCW1: nothing masked
        io.write(0xA1, 1, 0x00);
    }

    private void eoiMaster() {
        io.write(0x20, 1, 0x20);
    }

    @Test
    void shouldDeliverAnEdgeAtTheProgrammedVectorAndKeepItInServiceUntilEoi() {
        pic.irq(4).pulse();
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(0x24, pic.acknowledge());
        assertFalse(pic.hasPendingInterrupt());
        assertEquals(1 << 4, pic.inServiceRegister());
        eoiMaster();
        assertEquals(0, pic.inServiceRegister());
    }

    @Test
    void shouldServeTheLowestNumberedIrqFirstAndBlockLowerPrioritiesWhileInService() {
        pic.irq(5).pulse();
        pic.irq(3).pulse();
        assertEquals(0x23, pic.acknowledge());
        assertFalse(pic.hasPendingInterrupt(), "IRQ 5 waits while IRQ 3 is in service");
        pic.irq(1).pulse();
        assertTrue(pic.hasPendingInterrupt(), "IRQ 1 nests above IRQ 3");
        assertEquals(0x21, pic.acknowledge());
        eoiMaster(); // non-specific EOI ends the highest in service: IRQ 1
        assertEquals(1 << 3, pic.inServiceRegister());
        eoiMaster();
        assertEquals(0x25, pic.acknowledge());
    }

    @Test
    void shouldRouteSlaveIrqsThroughTheCascadeAndNeedAnEoiOnBothChips() {
        pic.irq(14).pulse();
        assertEquals(0x2E, pic.acknowledge());
        assertEquals(1 << 14 | 1 << 2, pic.inServiceRegister());
        io.write(0xA0, 1, 0x20);
        eoiMaster();
        assertEquals(0, pic.inServiceRegister());
    }

    @Test
    void shouldIgnoreMaskedIrqsUntilUnmasked() {
        io.write(0x21, 1, 1 << 4);
        pic.irq(4).pulse();
        assertFalse(pic.hasPendingInterrupt());
        assertEquals(1 << 4, pic.requestRegister(), "the request is latched in IRR");
        io.write(0x21, 1, 0);
        assertEquals(0x24, pic.acknowledge());
    }

    @Test
    void shouldReadIrrAndIsrAsSelectedByOcw3() {
        pic.irq(6).pulse();
        io.write(0x20, 1, 0x0A);
        assertEquals(1 << 6, io.read(0x20, 1));
        pic.acknowledge();
        io.write(0x20, 1, 0x0B);
        assertEquals(1 << 6, io.read(0x20, 1));
        io.write(0x20, 1, 0x0A);
        assertEquals(0, io.read(0x20, 1));
    }

    @Test
    void shouldEndOnlyTheNamedIrqOnSpecificEoi() {
        pic.irq(5).pulse();
        pic.acknowledge();
        pic.irq(3).pulse();
        pic.acknowledge();
        io.write(0x20, 1, 0x60 | 5); // specific EOI for IRQ 5, though IRQ 3 has the higher priority
        assertEquals(1 << 3, pic.inServiceRegister());
    }

    @Test
    void shouldMakeTheServedIrqTheLowestPriorityOnRotatingEoi() {
        pic.irq(0).pulse();
        assertEquals(0x20, pic.acknowledge());
        io.write(0x20, 1, 0xA0); // rotate on non-specific EOI: IRQ 0 becomes the lowest
        pic.irq(0).pulse();
        pic.irq(7).pulse();
        assertEquals(0x27, pic.acknowledge(), "IRQ 7 now outranks IRQ 0");
    }

    @Test
    void shouldLetLowerPrioritiesThroughInSpecialMaskMode() {
        pic.irq(3).pulse();
        pic.acknowledge();
        io.write(0x21, 1, 1 << 3); // mask the level in service
        io.write(0x20, 1, 0x68); // OCW3: set special mask mode
        pic.irq(5).pulse();
        assertEquals(0x25, pic.acknowledge());
        io.write(0x20, 1, 0x48); // reset special mask mode
        io.write(0x20, 1, 0x65); // specific EOI 5
        pic.irq(6).pulse();
        io.write(0x21, 1, 0);
        assertFalse(pic.hasPendingInterrupt(), "without special mask IRQ 3 in service blocks IRQ 6 again");
    }

    @Test
    void shouldNotSetIsrInAutoEoiMode() {
        io.write(0x20, 1, 0x11);
        io.write(0x21, 1, 0x08);
        io.write(0x21, 1, 0x04);
        io.write(0x21, 1, 0x03); // ICW4: 8086, auto-EOI
        pic.irq(1).pulse();
        assertEquals(0x09, pic.acknowledge());
        assertEquals(0, pic.inServiceRegister() & 0xFF);
    }

    @Test
    void shouldAnswerAPollWithTheIrqAndTreatItAsAcknowledged() {
        pic.irq(6).pulse();
        io.write(0x20, 1, 0x0C); // OCW3 poll
        assertEquals(0x86, io.read(0x20, 1));
        assertEquals(1 << 6, pic.inServiceRegister());
        io.write(0x20, 1, 0x0C);
        assertEquals(0x00, io.read(0x20, 1), "nothing else is pending");
    }

    @Test
    void shouldKeepALevelTriggeredRequestWhileTheLineStaysHigh() {
        io.write(0x4D1, 1, 1 << (11 - 8));
        assertEquals(1 << 3, io.read(0x4D1, 1));
        pic.irq(11).setLevel(true);
        assertEquals(0x2B, pic.acknowledge());
        io.write(0xA0, 1, 0x20);
        eoiMaster();
        assertTrue(pic.hasPendingInterrupt(), "still high: requested again after EOI");
        pic.irq(11).setLevel(false);
        assertFalse(pic.hasPendingInterrupt(), "withdrawn: neither chip still asks");
    }

    @Test
    void shouldNotLetTheElcrMakeTheTimerLevelTriggered() {
        io.write(0x4D0, 1, 0xFF);
        assertEquals(0xF8, io.read(0x4D0, 1));
    }

    @Test
    void shouldLatchAnEdgeOnlyOnceUntilTheLineFallsAgain() {
        pic.irq(4).setLevel(true);
        pic.acknowledge();
        eoiMaster();
        pic.irq(4).setLevel(true);
        assertFalse(pic.hasPendingInterrupt(), "no new edge while the line stays high");
        pic.irq(4).setLevel(false);
        pic.irq(4).setLevel(true);
        assertTrue(pic.hasPendingInterrupt());
    }

    @Test
    void shouldAnswerTheSpuriousVectorWhenNothingIsPendingAtAcknowledge() {
        assertEquals(0x27, pic.acknowledge());
        assertEquals(0, pic.inServiceRegister(), "a spurious IRQ 7 is not put in service");
    }

    @Test
    void shouldLetAnInitializedSlaveSpeakOnlyThroughAnUnmaskedCascade() {
        io.write(0x21, 1, 1 << 2);
        pic.irq(9).pulse();
        assertFalse(pic.hasPendingInterrupt());
        io.write(0x21, 1, 0);
        assertEquals(0x29, pic.acknowledge());
    }
}
