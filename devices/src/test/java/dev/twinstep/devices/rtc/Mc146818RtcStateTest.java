package dev.twinstep.devices.rtc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.SectionOutput;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.devices.state.MemoryState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RTC section: guest time, CMOS bytes and periodic interrupts survive a save and load. */
class Mc146818RtcStateTest {
    private static final long EPOCH = 1_773_500_966L;

    /** An RTC on its own clock, recording the times its IRQ line rises. */
    private static final class Rig {
        final long[] nanos = {0};
        final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> nanos[0]);
        final IoBus io = new IoBus();
        final List<Long> rises = new ArrayList<>();
        boolean irq;
        final Mc146818Rtc rtc;

        Rig(long epoch, long startNanos) {
            nanos[0] = startNanos;
            rtc = new Mc146818Rtc(clock, level -> {
                if (level && !irq) {
                    rises.add(nanos[0]);
                }
                irq = level;
            }, 128L << 20, epoch);
            rtc.attach(io, new GuestMemory(2L * 1024 * 1024));
        }

        int read(int index) {
            io.write(0x70, 1, index);
            return io.read(0x71, 1);
        }

        void write(int index, int value) {
            io.write(0x70, 1, index);
            io.write(0x71, 1, value);
        }

        /** Runs to {@code end}, acknowledging each interrupt by reading register C as a driver does. */
        void runUntil(long end) {
            while (clock.nextDeadline() <= end) {
                nanos[0] = clock.nextDeadline();
                clock.runDueTimers();
                if (irq) {
                    read(0x0C);
                }
            }
            nanos[0] = end;
        }
    }

    @Test
    void shouldKeepGuestTimeCmosAndPeriodicInterruptsAcrossLoad() {
        Rig original = new Rig(EPOCH, 0);
        original.write(0x40, 0x5A);
        original.write(0x0A, 0x2F); // 2 Hz
        original.write(0x0B, 0x42); // periodic interrupts on
        original.runUntil(1_700_000_000L);
        byte[] section = MemoryState.save(original.rtc);

        Rig restored = new Rig(0, 1_700_000_000L);
        MemoryState.load(restored.rtc, section);
        assertArrayEquals(section, MemoryState.save(restored.rtc));
        assertEquals(original.read(0x00), restored.read(0x00), "seconds");
        assertEquals(original.read(0x09), restored.read(0x09), "year");
        assertEquals(0x5A, restored.read(0x40));

        original.rises.clear();
        original.runUntil(4_000_000_000L);
        restored.runUntil(4_000_000_000L);
        assertEquals(5, restored.rises.size());
        assertEquals(original.rises, restored.rises);
    }

    @Test
    void shouldRestoreARaisedIrqLine() {
        Rig original = new Rig(EPOCH, 0);
        original.write(0x0A, 0x2F);
        original.write(0x0B, 0x42);
        original.nanos[0] = 600_000_000L;
        original.clock.runDueTimers();
        assertTrue(original.irq);
        Rig restored = new Rig(EPOCH, 600_000_000L);
        MemoryState.load(restored.rtc, MemoryState.save(original.rtc));
        assertTrue(restored.irq);
        assertEquals(0xC0, restored.read(0x0C));
    }

    @Test
    void shouldRefuseACmosImageOfTheWrongSize() {
        SectionOutput writer = new SectionOutput();
        writer.putBytes(new byte[64]);
        assertThrows(StateFormatException.class,
                () -> new Rig(EPOCH, 0).rtc.load(MemoryState.reader("rtc", writer.toByteArray()), 1));
    }
}
