package dev.twinstep.devices.pit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.devices.pic.PicPair;
import dev.twinstep.devices.state.MemoryState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PIT and PIC sections: a restored pair keeps counting to the same IRQ 0 times as the original. */
class PitStateTest {
    /** A clock, a PIC and a PIT wired as on the PC, recording when IRQ 0 is taken. */
    private static final class Rig {
        final long[] instructions = {0};
        final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> instructions[0]);
        final IoBus io = new IoBus();
        final PicPair pic = new PicPair();
        final Pit8254 pit = new Pit8254(clock, pic.irq(0));
        final List<Long> irqTimes = new ArrayList<>();

        Rig(long startNanos) {
            instructions[0] = startNanos;
            GuestMemory memory = new GuestMemory(2L * 1024 * 1024);
            pic.attach(io, memory);
            pit.attach(io, memory);
        }

        void initialisePic() {
            io.write(0x20, 1, 0x11);
            io.write(0x21, 1, 0x08);
            io.write(0x21, 1, 0x04);
            io.write(0x21, 1, 0x01);
            io.write(0x21, 1, 0xFE);
        }

        void runUntil(long nanos) {
            while (clock.nextDeadline() <= nanos) {
                instructions[0] = Math.max(instructions[0], clock.nextDeadline());
                clock.runDueTimers();
                service();
            }
            instructions[0] = nanos;
            clock.runDueTimers();
            service();
        }

        private void service() {
            while (pic.hasPendingInterrupt()) {
                assertEquals(0x08, pic.acknowledge());
                irqTimes.add(instructions[0]);
                io.write(0x20, 1, 0x20);
            }
        }
    }

    @Test
    void shouldContinueRaisingIrq0AtTheSameTimesAfterLoad() {
        Rig original = new Rig(0);
        original.initialisePic();
        original.io.write(0x43, 1, 0x34);
        original.io.write(0x40, 1, 11932 & 0xFF);
        original.io.write(0x40, 1, 11932 >>> 8);
        original.runUntil(35_000_000L);
        byte[] pic = MemoryState.save(original.pic);
        byte[] pit = MemoryState.save(original.pit);

        Rig restored = new Rig(35_000_000L);
        MemoryState.load(restored.pic, pic);
        MemoryState.load(restored.pit, pit);
        assertArrayEquals(pic, MemoryState.save(restored.pic));
        assertArrayEquals(pit, MemoryState.save(restored.pit));

        original.irqTimes.clear();
        original.runUntil(200_000_000L);
        restored.runUntil(200_000_000L);
        assertEquals(16, original.irqTimes.size());
        assertEquals(original.irqTimes, restored.irqTimes);
    }

    @Test
    void shouldKeepAHalfWrittenCountAcrossLoad() {
        Rig original = new Rig(0);
        original.initialisePic();
        original.io.write(0x43, 1, 0x30);
        original.io.write(0x40, 1, 0xA9); // low byte of 1193; the high byte comes after the load
        Rig restored = new Rig(0);
        MemoryState.load(restored.pic, MemoryState.save(original.pic));
        MemoryState.load(restored.pit, MemoryState.save(original.pit));

        original.io.write(0x40, 1, 0x04);
        restored.io.write(0x40, 1, 0x04);
        original.runUntil(2_000_000L);
        restored.runUntil(2_000_000L);
        assertEquals(List.of(PitTime.nanosAt(1193)), restored.irqTimes);
        assertEquals(original.irqTimes, restored.irqTimes);
    }

    @Test
    void shouldKeepAPendingPicRequestAndItsIntOutput() {
        Rig original = new Rig(0);
        original.initialisePic();
        original.io.write(0x21, 1, 0xFF); // everything masked: IRQ 0 stays pending in IRR
        original.pic.setIrq(0, true);
        Rig restored = new Rig(0);
        MemoryState.load(restored.pic, MemoryState.save(original.pic));
        assertEquals(1, restored.pic.requestRegister());

        restored.io.write(0x21, 1, 0xFE);
        assertEquals(true, restored.pic.hasPendingInterrupt());
        assertEquals(0x08, restored.pic.acknowledge());
    }

    @Test
    void shouldRefuseAChannelModeTheChipDoesNotHave() {
        Rig original = new Rig(0);
        byte[] section = MemoryState.save(original.pit);
        section[0] = 7; // channel 0's mode is the section's first byte
        assertThrows(StateFormatException.class, () -> MemoryState.load(new Rig(0).pit, section));
    }
}
