package dev.twinstep.devices.pit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.pic.PicPair;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The 8254 programmed through its ports, on an icount clock whose time the test moves (1 ns per
 * "instruction"), with IRQ 0 going into a real PIC pair.
 */
class PitTest {
    private final long[] instructions = {0};
    private final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 1, () -> instructions[0]);
    private final IoBus io = new IoBus();
    private final PicPair pic = new PicPair();
    private final Pit8254 pit = new Pit8254(clock, pic.irq(0));
    private int irq0Count;

    @BeforeEach
    void wire() {
        GuestMemory memory = new GuestMemory(2L * 1024 * 1024);
        pic.attach(io, memory);
        pit.attach(io, memory);
        io.write(0x20, 1, 0x11);
        io.write(0x21, 1, 0x08);
        io.write(0x21, 1, 0x04);
        io.write(0x21, 1, 0x01);
        io.write(0x21, 1, 0xFE); // only IRQ 0
    }

    /** Moves virtual time to {@code nanos}, running due timers and taking IRQ 0 as a CPU would. */
    private void runUntil(long nanos) {
        while (true) {
            long next = clock.nextDeadline();
            if (next > nanos) {
                break;
            }
            instructions[0] = Math.max(instructions[0], next);
            clock.runDueTimers();
            serviceInterrupts();
        }
        instructions[0] = nanos;
        clock.runDueTimers();
        serviceInterrupts();
    }

    private void serviceInterrupts() {
        while (pic.hasPendingInterrupt()) {
            assertEquals(0x08, pic.acknowledge());
            irq0Count++;
            io.write(0x20, 1, 0x20);
        }
    }

    private void programChannel0(int controlWord, int count) {
        io.write(0x43, 1, controlWord);
        io.write(0x40, 1, count & 0xFF);
        io.write(0x40, 1, count >>> 8);
    }

    @Test
    void shouldRaiseIrq0AtTheRateOfMode2() {
        programChannel0(0x34, 11932); // mode 2, lobyte/hibyte: 100 Hz (10.000151 ms)
        runUntil(999_999_000L);
        assertEquals(99, irq0Count);
        runUntil(1_000_020_000L);
        assertEquals(100, irq0Count);
        assertTrue(clock.nextDeadline() != VirtualClock.NEVER, "keeps running");
    }

    @Test
    void shouldRaiseIrq0OnceInMode0AtTerminalCount() {
        programChannel0(0x30, 1193); // mode 0: about 1 ms
        runUntil(999_000);
        assertEquals(0, irq0Count);
        runUntil(1_001_000);
        assertEquals(1, irq0Count);
        runUntil(100_000_000);
        assertEquals(1, irq0Count, "one shot");
        assertEquals(VirtualClock.NEVER, clock.nextDeadline());
    }

    @Test
    void shouldSquareWaveInMode3AtTheSameRateAsMode2() {
        programChannel0(0x36, 0); // mode 3, count 65536: 18.2 Hz
        runUntil(1_000_000_000L);
        assertEquals(1 + 18, irq0Count, "the output rises as the count is loaded (as on QEMU), then once per period");
    }

    @Test
    void shouldCountDownAndLatchTheCount() {
        programChannel0(0x34, 10000);
        runUntil(PitTime.nanosAt(1234));
        io.write(0x43, 1, 0x00); // latch channel 0
        runUntil(PitTime.nanosAt(2000));
        int latched = io.read(0x40, 1) | io.read(0x40, 1) << 8;
        assertEquals(10000 - 1234, latched);
        int live = io.read(0x40, 1) | io.read(0x40, 1) << 8;
        assertEquals(10000 - 2000, live);
    }

    @Test
    void shouldReadBackStatusAndCount() {
        programChannel0(0x34, 500);
        runUntil(PitTime.nanosAt(100));
        io.write(0x43, 1, 0xC2); // read-back: count and status of channel 0
        assertEquals(0x34, io.read(0x40, 1) & 0x3F, "access word, mode 2, binary");
        assertEquals(400, io.read(0x40, 1) | io.read(0x40, 1) << 8);
    }

    @Test
    void shouldUseAndReportBcdCounts() {
        io.write(0x43, 1, 0x31); // mode 0, BCD
        io.write(0x40, 1, 0x00);
        io.write(0x40, 1, 0x10); // 1000 in BCD
        runUntil(PitTime.nanosAt(1));
        assertEquals(0x99, io.read(0x40, 1));
        assertEquals(0x09, io.read(0x40, 1), "999 in BCD");
    }

    @Test
    void shouldReadTheLowByteOnlyInLobyteMode() {
        io.write(0x43, 1, 0x14); // channel 0, lobyte only, mode 2
        io.write(0x40, 1, 200);
        runUntil(PitTime.nanosAt(50));
        assertEquals(150, io.read(0x40, 1));
        assertEquals(150, io.read(0x40, 1));
    }

    @Test
    void shouldGateChannel2AndShowItsOutputOnPort61() {
        io.write(0x61, 1, 0x00);
        io.write(0x43, 1, 0xB0); // channel 2, word, mode 0
        io.write(0x42, 1, 100);
        io.write(0x42, 1, 0);
        io.write(0x61, 1, 0x01); // gate on, speaker data off
        assertEquals(0, io.read(0x61, 1) & 0x20);
        runUntil(PitTime.nanosAt(101));
        assertEquals(0x20, io.read(0x61, 1) & 0x20, "terminal count reached");
        assertEquals(0x01, io.read(0x61, 1) & 0x03);
        assertEquals(false, pit.speakerDataEnabled());
    }

    @Test
    void shouldRestartMode2FromTheGateOnChannel2() {
        io.write(0x61, 1, 0x01);
        io.write(0x43, 1, 0xB4); // channel 2, mode 2
        io.write(0x42, 1, 0x00);
        io.write(0x42, 1, 0x10); // 4096
        runUntil(PitTime.nanosAt(1000));
        io.write(0x61, 1, 0x00);
        io.write(0x61, 1, 0x01); // rising gate reloads
        io.write(0x43, 1, 0x80); // latch channel 2
        assertEquals(4096, io.read(0x42, 1) | io.read(0x42, 1) << 8);
    }
}
