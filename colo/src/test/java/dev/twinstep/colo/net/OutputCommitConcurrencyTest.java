package dev.twinstep.colo.net;

import static dev.twinstep.colo.net.TestFrames.epochOf;
import static dev.twinstep.colo.net.TestFrames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The machine thread transmits while another thread releases or switches to pass-through: frames
 * must leave in transmit order, none may be lost or leave early, and the wrapped back end must never
 * be called by two threads at once.
 */
class OutputCommitConcurrencyTest {
    private static final int FRAMES_PER_EPOCH = 17;
    private static final long RUN_NANOS = 300_000_000L;

    /** Plays the machine thread: sends numbered frames of varied sizes and notes which ones were dropped. */
    private static final class Guest implements Runnable {
        private final OutputCommitBackend buffer;
        private final AtomicBoolean stop;
        private final AtomicLong lastClosedEpoch;
        final BitSet dropped = new BitSet();
        long framesSent;

        Guest(OutputCommitBackend buffer, AtomicBoolean stop, AtomicLong lastClosedEpoch) {
            this.buffer = buffer;
            this.stop = stop;
            this.lastClosedEpoch = lastClosedEpoch;
        }

        @Override
        public void run() {
            OutputCommitStats stats = buffer.commitStats();
            while (!stop.get()) {
                long sequence = framesSent++;
                byte[] bytes = frame(sequence, buffer.openEpoch(), 16 + (int) (sequence * 37 % 1500));
                long droppedBefore = stats.framesDroppedFull.get();
                buffer.transmit(bytes, 0, bytes.length);
                if (stats.framesDroppedFull.get() != droppedBefore) {
                    dropped.set((int) sequence);
                }
                if (sequence % FRAMES_PER_EPOCH == FRAMES_PER_EPOCH - 1) {
                    lastClosedEpoch.set(buffer.closeEpoch());
                }
            }
            lastClosedEpoch.set(buffer.closeEpoch());
        }
    }

    private static void assertEveryKeptFrameSentOnceInOrder(Guest guest, RecordingNetBackend wire) {
        List<byte[]> sent = wire.sentFrames();
        int index = 0;
        for (long sequence = 0; sequence < guest.framesSent; sequence++) {
            if (guest.dropped.get((int) sequence)) {
                continue;
            }
            assertTrue(index < sent.size(), "frame " + sequence + " was never sent");
            assertEquals(sequence, TestFrames.sequenceOf(sent.get(index)), "frame at wire position " + index);
            assertTrue(TestFrames.bodyIntact(sent.get(index)), "frame " + sequence + " intact");
            index++;
        }
        assertEquals(sent.size(), index, "no frame sent twice or from nowhere");
        assertFalse(wire.overlappingTransmitSeen(), "the wrapped back end was called by two threads at once");
    }

    @Test
    void shouldKeepOrderAndLoseNothingWhenReleasingWhileTheGuestTransmits() throws InterruptedException {
        RecordingNetBackend wire = new RecordingNetBackend();
        OutputCommitBackend buffer = new OutputCommitBackend(wire, 256 << 10);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lastClosedEpoch = new AtomicLong(OutputCommitBackend.FIRST_EPOCH - 1);
        Guest guest = new Guest(buffer, stop, lastClosedEpoch);
        Thread machine = new Thread(guest, "machine");

        // Each release(e) is recorded with the wire positions before and after it: the frames it sent.
        List<long[]> releases = new ArrayList<>();
        machine.start();
        long deadline = System.nanoTime() + RUN_NANOS;
        while (System.nanoTime() < deadline) {
            long epoch = lastClosedEpoch.get();
            int before = wire.sentCount();
            buffer.release(epoch);
            releases.add(new long[] {epoch, before, wire.sentCount()});
        }
        stop.set(true);
        machine.join();
        int before = wire.sentCount();
        buffer.release(lastClosedEpoch.get());
        releases.add(new long[] {lastClosedEpoch.get(), before, wire.sentCount()});

        assertTrue(wire.sentCount() > 1000, "enough traffic to mean something: " + wire.sentCount());
        assertEveryKeptFrameSentOnceInOrder(guest, wire);
        List<byte[]> sent = wire.sentFrames();
        for (long[] release : releases) {
            long epoch = release[0];
            for (int i = (int) release[1]; i < release[2]; i++) {
                assertTrue(epochOf(sent.get(i)) <= epoch, "a frame of epoch " + epochOf(sent.get(i))
                        + " left during the release of epoch " + epoch);
            }
            if (release[2] < sent.size()) {
                assertTrue(epochOf(sent.get((int) release[2])) > epoch, "release of epoch " + epoch
                        + " left a frame of its epoch behind");
            }
        }
        assertEquals(0, buffer.commitStats().framesHeld());
        assertEquals(sent.size(), buffer.commitStats().framesReleased.get());
    }

    @Test
    void shouldSendEveryHeldFrameWhenPassThroughRacesWithTransmit() throws InterruptedException {
        for (int attempt = 0; attempt < 200; attempt++) {
            RecordingNetBackend wire = new RecordingNetBackend();
            OutputCommitBackend buffer = new OutputCommitBackend(wire, OutputCommitBackend.MIN_CAPACITY_BYTES);
            AtomicBoolean stop = new AtomicBoolean();
            Guest guest = new Guest(buffer, stop, new AtomicLong());
            Thread machine = new Thread(guest, "machine");
            machine.start();
            long until = System.nanoTime() + ThreadLocalRandom.current().nextLong(200_000);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            buffer.passThrough();
            // Stopping right away leaves a frame the guest was holding mid-transmit with no later
            // transmit to push it out: it must have gone out on its own.
            stop.set(true);
            machine.join();

            assertEveryKeptFrameSentOnceInOrder(guest, wire);
            assertEquals(0, buffer.commitStats().framesHeld(), "attempt " + attempt);
        }
    }
}
