package dev.twinstep.devices.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.memory.GuestMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local APIC as a driver sees it: 32-bit loads and stores to its page in guest memory, on an
 * icount clock whose time the test moves (1 ns per "instruction").
 */
class LocalApicTest {
    private static final int BASE = LocalApic.BASE_ADDRESS;
    private final long[] instructions = {0};
    private final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> instructions[0]);
    private final GuestMemory memory = new GuestMemory(2L * 1024 * 1024);
    private final LocalApic lapic = new LocalApic(clock);

    @BeforeEach
    void attach() {
        lapic.attach(new IoBus(), memory);
    }

    private int read(int reg) {
        return memory.read32(BASE + reg);
    }

    private void write(int reg, int value) {
        memory.write32(BASE + reg, value);
    }

    private void enable() {
        write(LocalApic.REG_SVR, 0x1FF);
    }

    private void advanceTo(long nanos) {
        while (clock.nextDeadline() <= nanos) {
            instructions[0] = Math.max(instructions[0], clock.nextDeadline());
            clock.runDueTimers();
        }
        instructions[0] = nanos;
        clock.runDueTimers();
    }

    private boolean irrHas(int vector) {
        return (read(LocalApic.REG_IRR + (vector >>> 5) * 0x10) & (1 << (vector & 31))) != 0;
    }

    private boolean isrHas(int vector) {
        return (read(LocalApic.REG_ISR + (vector >>> 5) * 0x10) & (1 << (vector & 31))) != 0;
    }

    @Test
    void shouldStartSoftwareDisabledInVirtualWireMode() {
        assertEquals(0xFF, read(LocalApic.REG_SVR));
        assertEquals(0x700, read(LocalApic.REG_LVT_LINT0));
        assertEquals(0x10000, read(LocalApic.REG_LVT_TIMER));
        assertEquals(0xFFFFFFFF, read(LocalApic.REG_DFR));
        assertEquals(0x00050014, read(LocalApic.REG_VERSION));
        assertTrue(lapic.passesPicInterrupts());
        assertFalse(lapic.hasDeliverableInterrupt());
    }

    @Test
    void shouldKeepLvtMaskedWhileSoftwareDisabled() {
        write(LocalApic.REG_LVT_TIMER, 0x40);
        assertEquals(0x10040, read(LocalApic.REG_LVT_TIMER));
        enable();
        write(LocalApic.REG_LVT_TIMER, 0x40);
        assertEquals(0x40, read(LocalApic.REG_LVT_TIMER));
    }

    @Test
    void shouldRaisePeriodicTimerVectorEveryPeriodAndMoveItToIsrOnAcknowledge() {
        enable();
        write(LocalApic.REG_TIMER_DIVIDE, 0xB); // divide by 1
        write(LocalApic.REG_LVT_TIMER, LocalApic.LVT_TIMER_PERIODIC | 0x40);
        write(LocalApic.REG_TIMER_INITIAL, 9_999); // period (initial + 1) ticks = 10 us
        advanceTo(9_000);
        assertFalse(irrHas(0x40));
        assertEquals(999, read(LocalApic.REG_TIMER_CURRENT));
        advanceTo(10_000);
        assertTrue(irrHas(0x40));
        assertTrue(lapic.hasDeliverableInterrupt());
        assertEquals(0x40, lapic.acknowledge());
        assertFalse(irrHas(0x40));
        assertTrue(isrHas(0x40));
        assertEquals(0x40, read(LocalApic.REG_PPR));
        write(LocalApic.REG_EOI, 0);
        assertFalse(isrHas(0x40));
        advanceTo(20_000);
        assertTrue(irrHas(0x40));
        advanceTo(25_000);
        assertEquals(9_999 - 5_000, read(LocalApic.REG_TIMER_CURRENT));
    }

    @Test
    void shouldFireOneShotOnceAndStopCountingAtZero() {
        enable();
        write(LocalApic.REG_TIMER_DIVIDE, 0x3); // divide by 16
        write(LocalApic.REG_LVT_TIMER, 0x41);
        write(LocalApic.REG_TIMER_INITIAL, 100); // 1600 ns
        advanceTo(800);
        assertEquals(50, read(LocalApic.REG_TIMER_CURRENT));
        advanceTo(1_600);
        assertEquals(0, read(LocalApic.REG_TIMER_CURRENT));
        assertEquals(0x41, lapic.acknowledge());
        write(LocalApic.REG_EOI, 0);
        advanceTo(100_000);
        assertFalse(irrHas(0x41));
        assertFalse(clock.nextDeadline() < Long.MAX_VALUE);
    }

    @Test
    void shouldNotRaiseMaskedTimer() {
        enable();
        write(LocalApic.REG_TIMER_DIVIDE, 0xB);
        write(LocalApic.REG_LVT_TIMER, LocalApic.LVT_MASKED | 0x42);
        write(LocalApic.REG_TIMER_INITIAL, 10);
        advanceTo(1_000);
        assertFalse(irrHas(0x42));
    }

    @Test
    void shouldHoldBackVectorsAtOrBelowTaskPriorityClass() {
        enable();
        write(LocalApic.REG_TPR, 0x50);
        lapic.deliver(0x55, LocalApic.DELIVERY_FIXED, false);
        assertTrue(irrHas(0x55));
        assertFalse(lapic.hasDeliverableInterrupt());
        lapic.deliver(0x61, LocalApic.DELIVERY_FIXED, false);
        assertTrue(lapic.hasDeliverableInterrupt());
        assertEquals(0x61, lapic.acknowledge());
        write(LocalApic.REG_TPR, 0);
        assertFalse(lapic.hasDeliverableInterrupt(), "0x55 waits while 0x61's class is in service");
        write(LocalApic.REG_EOI, 0);
        assertEquals(0x55, lapic.acknowledge());
    }

    @Test
    void shouldReturnSpuriousVectorWhenNothingIsDeliverable() {
        write(LocalApic.REG_SVR, 0x1EF);
        assertEquals(0xEF, lapic.acknowledge());
    }

    @Test
    void shouldNotDeliverWhileSoftwareDisabled() {
        lapic.deliver(0x30, LocalApic.DELIVERY_FIXED, false);
        assertFalse(lapic.hasDeliverableInterrupt());
        enable();
        assertTrue(lapic.hasDeliverableInterrupt());
    }

    @Test
    void shouldBroadcastEoiOnlyForLevelTriggeredVectors() {
        int[] eoi = {-1};
        lapic.setEoiListener(vector -> eoi[0] = vector);
        enable();
        lapic.deliver(0x31, LocalApic.DELIVERY_FIXED, false);
        lapic.acknowledge();
        write(LocalApic.REG_EOI, 0);
        assertEquals(-1, eoi[0]);
        lapic.deliver(0x32, LocalApic.DELIVERY_FIXED, true);
        assertTrue((read(LocalApic.REG_TMR + 0x10) & (1 << 0x12)) != 0);
        lapic.acknowledge();
        write(LocalApic.REG_EOI, 0);
        assertEquals(0x32, eoi[0]);
    }

    @Test
    void shouldDeliverSelfIpi() {
        enable();
        write(LocalApic.REG_ICR_LOW, (1 << 18) | 0x77);
        assertTrue(irrHas(0x77));
    }

    @Test
    void shouldStopPassingPicInterruptsWhenLint0IsMasked() {
        enable();
        write(LocalApic.REG_LVT_LINT0, LocalApic.LVT_MASKED | 0x700);
        assertFalse(lapic.passesPicInterrupts());
    }

    @Test
    void shouldMatchFlatLogicalDestination() {
        write(LocalApic.REG_LDR, 0x0100_0000);
        assertTrue(lapic.isDestination(0x01, true));
        assertFalse(lapic.isDestination(0x02, true));
        assertTrue(lapic.isDestination(0x00, false));
        assertFalse(lapic.isDestination(0x01, false));
    }
}
