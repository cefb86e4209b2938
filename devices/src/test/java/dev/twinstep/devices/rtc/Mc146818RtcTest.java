package dev.twinstep.devices.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.memory.GuestMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The RTC and CMOS read and written through ports 0x70/0x71, on a virtual clock the test moves. */
class Mc146818RtcTest {
    /** 2026-03-14T15:09:26Z, a Saturday. */
    private static final long EPOCH = 1_773_500_966L;
    private static final long SECOND = 1_000_000_000L;

    private final long[] nanos = {0};
    private final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> nanos[0]);
    private final IoBus io = new IoBus();
    private boolean irq;
    private Mc146818Rtc rtc;

    @BeforeEach
    void attach() {
        rtc = new Mc146818Rtc(clock, level -> irq = level, 128L << 20, EPOCH);
        rtc.attach(io, new GuestMemory(2L * 1024 * 1024));
    }

    private int cmos(int index) {
        io.write(0x70, 1, index);
        return io.read(0x71, 1);
    }

    private void write(int index, int value) {
        io.write(0x70, 1, index);
        io.write(0x71, 1, value);
    }

    private void advanceTo(long at) {
        nanos[0] = at;
        clock.runDueTimers();
    }

    @Test
    void shouldReportTheBootTimeInBcdAnd24HourModeByDefault() {
        assertEquals(0x26, cmos(0x00));
        assertEquals(0x09, cmos(0x02));
        assertEquals(0x15, cmos(0x04));
        assertEquals(0x07, cmos(0x06), "Saturday");
        assertEquals(0x14, cmos(0x07));
        assertEquals(0x03, cmos(0x08));
        assertEquals(0x26, cmos(0x09));
        assertEquals(0x20, cmos(0x32), "century");
        assertEquals(0x80, cmos(0x0D), "valid RAM and time");
    }

    @Test
    void shouldAdvanceWithVirtualTime() {
        advanceTo(40 * SECOND);
        assertEquals(0x06, cmos(0x00));
        assertEquals(0x10, cmos(0x02));
    }

    @Test
    void shouldSwitchToBinaryAnd12HourFormat() {
        write(0x0B, 0x04); // binary, 12-hour
        assertEquals(26, cmos(0x00));
        assertEquals(0x80 | 3, cmos(0x04), "3 PM");
    }

    @Test
    void shouldKeepTheTimeTheGuestSetsWhileSetIsOn() {
        write(0x0B, 0x82); // SET, 24 h, BCD
        write(0x04, 0x23);
        write(0x02, 0x59);
        write(0x00, 0x58);
        advanceTo(5 * SECOND);
        assertEquals(0x58, cmos(0x00), "frozen while SET");
        write(0x0B, 0x02);
        advanceTo(7 * SECOND);
        assertEquals(0x00, cmos(0x00));
        assertEquals(0x00, cmos(0x02));
        assertEquals(0x00, cmos(0x04), "midnight");
        assertEquals(0x15, cmos(0x07), "the next day");
    }

    @Test
    void shouldSetUpdateInProgressInTheLast244MicrosecondsOfEachSecond() {
        advanceTo(SECOND - 300_000);
        assertEquals(0, cmos(0x0A) & 0x80);
        advanceTo(SECOND - 100_000);
        assertEquals(0x80, cmos(0x0A) & 0x80);
    }

    @Test
    void shouldRaiseThePeriodicInterruptAndClearItWhenRegisterCIsRead() {
        write(0x0A, 0x26); // 1024 Hz
        write(0x0B, 0x42); // PIE
        assertFalse(irq);
        advanceTo(977_000);
        assertTrue(irq);
        assertEquals(0xC0, cmos(0x0C) & 0xF0, "IRQF and PF");
        assertFalse(irq);
        assertEquals(0, cmos(0x0C) & 0xC0, "read clears");
        advanceTo(2 * 977_000);
        assertTrue(irq, "periodic");
    }

    @Test
    void shouldRaiseUpdateEndedAndAlarmInterrupts() {
        write(0x01, 0x28); // alarm at hh:mm:28, any hour and minute
        write(0x03, 0xC0);
        write(0x05, 0xC0);
        write(0x0B, 0x32); // AIE, UIE
        advanceTo(SECOND);
        assertTrue(irq);
        // PF (0x40) is set too: the periodic flag runs at the default 1024 Hz whether PIE is on or not.
        assertEquals(0x90, cmos(0x0C) & 0xB0, "update ended, no alarm at :27");
        assertFalse(irq);
        advanceTo(2 * SECOND);
        assertEquals(0xB0, cmos(0x0C) & 0xB0, "update ended and alarm at :28");
    }

    @Test
    void shouldHoldTheMemorySizesAsQemuAndSeaBiosSetThem() {
        assertEquals(640, cmos(0x15) | cmos(0x16) << 8);
        assertEquals(0xFFFF, cmos(0x17) | cmos(0x18) << 8, "127 MiB above 1 MiB, capped at 65535 KiB");
        assertEquals(0xFFFF, cmos(0x30) | cmos(0x31) << 8);
        assertEquals((128 - 16) * 16, cmos(0x34) | cmos(0x35) << 8, "64 KiB units above 16 MiB");
    }

    @Test
    void shouldGiveTheExactExtendedMemoryBelow64MiB() {
        Mc146818Rtc small = new Mc146818Rtc(clock, level -> { }, 32L << 20, EPOCH);
        assertEquals(31 * 1024, small.cmosByte(0x17) | small.cmosByte(0x18) << 8);
        assertEquals(16 * 16, small.cmosByte(0x34) | small.cmosByte(0x35) << 8);
    }

    @Test
    void shouldKeepPlainCmosBytesAndTheNmiMaskBit() {
        write(0x80 | 0x40, 0xA5);
        assertTrue(rtc.nmiMasked());
        assertEquals(0xA5, cmos(0x40));
        assertFalse(rtc.nmiMasked());
    }
}
