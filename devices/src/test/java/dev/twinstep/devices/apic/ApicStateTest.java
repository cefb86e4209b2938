package dev.twinstep.devices.apic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.devices.state.MemoryState;
import org.junit.jupiter.api.Test;

/** The local APIC and IOAPIC sections: timers, pending vectors and redirection entries survive a load. */
class ApicStateTest {
    /** A local APIC and an IOAPIC in guest memory, on a clock the test moves. */
    private static final class Rig {
        final long[] nanos = {0};
        final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> nanos[0]);
        final GuestMemory memory = new GuestMemory(2L * 1024 * 1024);
        final LocalApic lapic = new LocalApic(clock);
        final IoApic ioApic = new IoApic(lapic, 1);

        Rig(long startNanos) {
            nanos[0] = startNanos;
            IoBus io = new IoBus();
            lapic.attach(io, memory);
            ioApic.attach(io, memory);
        }

        void lapicWrite(int reg, int value) {
            memory.write32(LocalApic.BASE_ADDRESS + reg, value);
        }

        void redirect(int pin, long entry) {
            memory.write32(IoApic.BASE_ADDRESS, 0x10 + 2 * pin);
            memory.write32(IoApic.BASE_ADDRESS + 0x10, (int) entry);
            memory.write32(IoApic.BASE_ADDRESS, 0x11 + 2 * pin);
            memory.write32(IoApic.BASE_ADDRESS + 0x10, (int) (entry >>> 32));
        }

        /** Runs to {@code end} and returns the times at which the CPU took vector {@code vector}. */
        java.util.List<Long> takeVectors(long end, int vector) {
            java.util.List<Long> times = new java.util.ArrayList<>();
            while (clock.nextDeadline() <= end) {
                nanos[0] = clock.nextDeadline();
                clock.runDueTimers();
                while (lapic.hasDeliverableInterrupt()) {
                    assertEquals(vector, lapic.acknowledge());
                    times.add(nanos[0]);
                    lapicWrite(LocalApic.REG_EOI, 0);
                }
            }
            nanos[0] = end;
            return times;
        }
    }

    @Test
    void shouldKeepThePeriodicTimerFiringAtTheSameTimes() {
        Rig original = new Rig(0);
        original.lapicWrite(LocalApic.REG_SVR, 0x1FF);
        original.lapicWrite(LocalApic.REG_TIMER_DIVIDE, 0x3); // divide by 16
        original.lapicWrite(LocalApic.REG_LVT_TIMER, 0x20030);
        original.lapicWrite(LocalApic.REG_TIMER_INITIAL, 62_500); // 1 ms
        original.takeVectors(3_400_000L, 0x30);
        byte[] section = MemoryState.save(original.lapic);

        Rig restored = new Rig(3_400_000L);
        MemoryState.load(restored.lapic, section);
        assertArrayEquals(section, MemoryState.save(restored.lapic));
        assertEquals(original.lapic.currentCount(), restored.lapic.currentCount());
        java.util.List<Long> expected = original.takeVectors(10_000_000L, 0x30);
        assertEquals(6, expected.size());
        assertEquals(expected, restored.takeVectors(10_000_000L, 0x30));
    }

    @Test
    void shouldKeepAPendingVectorAndAnIoApicLevelEntryWaitingForEoi() {
        Rig original = new Rig(0);
        original.lapicWrite(LocalApic.REG_SVR, 0x1FF);
        original.redirect(10, 0x0000_8041L); // level-triggered, vector 0x41, physical APIC 0
        original.ioApic.setPin(10, true);
        assertTrue(original.lapic.hasDeliverableInterrupt());
        byte[] lapicSection = MemoryState.save(original.lapic);
        byte[] ioApicSection = MemoryState.save(original.ioApic);

        Rig restored = new Rig(0);
        MemoryState.load(restored.lapic, lapicSection);
        MemoryState.load(restored.ioApic, ioApicSection);
        assertArrayEquals(ioApicSection, MemoryState.save(restored.ioApic));
        assertEquals(original.ioApic.redirectionEntry(10), restored.ioApic.redirectionEntry(10));
        assertTrue(restored.lapic.hasDeliverableInterrupt());
        assertEquals(0x41, restored.lapic.acknowledge());
        restored.ioApic.setPin(10, false);
        restored.lapicWrite(LocalApic.REG_EOI, 0);
        assertEquals(0, restored.ioApic.redirectionEntry(10) & IoApic.ENTRY_REMOTE_IRR, "EOI reached the IOAPIC");
        assertFalse(restored.lapic.hasDeliverableInterrupt());
    }

    @Test
    void shouldRefuseARedirectionEntryWithReadOnlyBitsSet() {
        Rig original = new Rig(0);
        byte[] section = MemoryState.save(original.ioApic);
        section[4 + 3 * 8 + 6] = 0x10; // bit 48 of pin 3's entry: reserved
        assertThrows(StateFormatException.class, () -> MemoryState.load(new Rig(0).ioApic, section));
    }
}
