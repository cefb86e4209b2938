package dev.twinstep.colo.net;

import static dev.twinstep.colo.net.TestFrames.frame;
import static dev.twinstep.colo.net.TestFrames.sequencesOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputCommitBackendTest {
    private static final int SMALL_RING = OutputCommitBackend.MIN_CAPACITY_BYTES;

    private final RecordingNetBackend wire = new RecordingNetBackend();
    private final OutputCommitBackend buffer = new OutputCommitBackend(wire, SMALL_RING);

    private void send(long sequence, int length) {
        byte[] bytes = frame(sequence, buffer.openEpoch(), length);
        buffer.transmit(bytes, 0, bytes.length);
    }

    @Test
    void shouldHoldFramesUntilTheirEpochIsReleased() {
        send(1, 100);
        send(2, 200);
        long epoch = buffer.closeEpoch();

        assertEquals(0, wire.sentCount());
        assertEquals(2, buffer.commitStats().framesHeld());
        assertEquals(300, buffer.commitStats().bytesHeld());

        buffer.release(epoch);

        assertEquals(List.of(1L, 2L), sequencesOf(wire.sentFrames()));
        assertEquals(0, buffer.commitStats().framesHeld());
        assertEquals(2, buffer.commitStats().framesReleased.get());
    }

    @Test
    void shouldSendTheExactBytesTheGuestTransmittedFromTheMiddleOfItsBuffer() {
        byte[] guestBuffer = new byte[300];
        byte[] body = frame(7, buffer.openEpoch(), 120);
        System.arraycopy(body, 0, guestBuffer, 50, body.length);
        buffer.transmit(guestBuffer, 50, body.length);
        guestBuffer[60] = 99; // the guest reuses its buffer at once
        buffer.release(buffer.closeEpoch());

        assertArrayEquals(body, wire.sentFrames().get(0));
    }

    @Test
    void shouldCountTheFirstClosedEpochAsFirstEpochAndNumberTheRestInOrder() {
        assertEquals(OutputCommitBackend.FIRST_EPOCH, buffer.closeEpoch());
        assertEquals(OutputCommitBackend.FIRST_EPOCH + 1, buffer.closeEpoch());
        assertEquals(OutputCommitBackend.FIRST_EPOCH + 2, buffer.openEpoch());
    }

    @Test
    void shouldReleaseFramesInTransmitOrderAcrossSeveralEpochs() {
        send(1, 64);
        long first = buffer.closeEpoch();
        send(2, 64);
        send(3, 64);
        buffer.closeEpoch();
        send(4, 64);
        long third = buffer.closeEpoch();

        buffer.release(first);
        assertEquals(List.of(1L), sequencesOf(wire.sentFrames()));

        buffer.release(third);
        assertEquals(List.of(1L, 2L, 3L, 4L), sequencesOf(wire.sentFrames()));
    }

    @Test
    void shouldKeepFramesOfTheNextEpochWhenReleasingAnEpoch() {
        send(1, 80);
        long closed = buffer.closeEpoch();
        send(2, 80); // the guest runs on while checkpoint 'closed' travels

        buffer.release(closed);

        assertEquals(List.of(1L), sequencesOf(wire.sentFrames()));
        assertEquals(1, buffer.commitStats().framesHeld());

        buffer.release(buffer.closeEpoch());
        assertEquals(List.of(1L, 2L), sequencesOf(wire.sentFrames()));
    }

    @Test
    void shouldSendNothingNewWhenAnEpochIsReleasedTwiceOrOutOfOrder() {
        send(1, 80);
        long first = buffer.closeEpoch();
        send(2, 80);
        long second = buffer.closeEpoch();
        send(3, 80);

        buffer.release(second);
        buffer.release(first);
        buffer.release(second);

        assertEquals(List.of(1L, 2L), sequencesOf(wire.sentFrames()));
    }

    @Test
    void shouldRefuseToReleaseTheOpenEpoch() {
        send(1, 80);

        assertThrows(IllegalArgumentException.class, () -> buffer.release(buffer.openEpoch()));
        assertEquals(0, wire.sentCount());
    }

    @Test
    void shouldReleaseEverythingHeldOnPassThroughAndThenForwardDirectly() {
        send(1, 90);
        buffer.closeEpoch();
        send(2, 90);

        buffer.passThrough();
        assertEquals(List.of(1L, 2L), sequencesOf(wire.sentFrames()));
        assertTrue(buffer.isUnprotected());

        send(3, 90);
        assertEquals(List.of(1L, 2L, 3L), sequencesOf(wire.sentFrames()));
        assertEquals(0, buffer.commitStats().framesHeld());
        assertEquals(3, buffer.commitStats().framesReleased.get());
    }

    @Test
    void shouldDropAndCountFramesWhenTheRingIsFullWithoutBlocking() {
        int frameBytes = 1000;
        int attempts = 2 * SMALL_RING / frameBytes;
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int sequence = 0; sequence < attempts; sequence++) {
                send(sequence, frameBytes);
            }
        });

        OutputCommitStats stats = buffer.commitStats();
        long held = stats.framesHeld();
        assertTrue(held > 0 && held < attempts, "held " + held);
        assertEquals(attempts - held, stats.framesDroppedFull.get());
        assertEquals(stats.framesDroppedFull.get(), buffer.stats().framesDropped.get());
        assertEquals(0, wire.sentCount());

        buffer.release(buffer.closeEpoch());
        List<Long> sent = sequencesOf(wire.sentFrames());
        assertEquals(held, sent.size());
        assertEquals(held - 1, sent.get(sent.size() - 1), "the first frames are kept, the later ones dropped");
    }

    @Test
    void shouldAcceptFramesAgainOnceAReleaseMakesRoom() {
        int frameBytes = 1000;
        long sequence = 0;
        for (int round = 0; round < 10; round++) {
            // Each round fills most of the ring, so the ring's write position wraps several times.
            for (int i = 0; i < SMALL_RING / 2 / frameBytes; i++) {
                send(sequence++, frameBytes + round);
            }
            buffer.release(buffer.closeEpoch());
        }

        assertEquals(0, buffer.commitStats().framesDroppedFull.get());
        List<byte[]> sent = wire.sentFrames();
        assertEquals(sequence, sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(i, TestFrames.sequenceOf(sent.get(i)));
            assertTrue(TestFrames.bodyIntact(sent.get(i)), "frame " + i + " intact");
        }
    }

    @Test
    void shouldDropFramesLargerThanTheRingCanHoldAsBad() {
        send(1, buffer.maxFrameBytes() + 1);
        send(2, buffer.maxFrameBytes());
        buffer.release(buffer.closeEpoch());

        assertEquals(List.of(2L), sequencesOf(wire.sentFrames()));
        assertEquals(1, buffer.commitStats().framesDroppedOversized.get());
        assertEquals(1, buffer.stats().framesBad.get());
    }

    @Test
    void shouldRecordHowLongTheLongestFrameWasHeld() throws InterruptedException {
        send(1, 64);
        long closed = buffer.closeEpoch();
        Thread.sleep(20);
        buffer.release(closed);

        assertTrue(buffer.commitStats().maxHoldNanos.get() >= 20_000_000L,
                "max hold " + buffer.commitStats().maxHoldNanos.get() + " ns");
    }

    @Test
    void shouldDeliverInboundFramesStraightToTheSink() throws Exception {
        RecordingFrameSink nic = new RecordingFrameSink();
        buffer.attach(nic);
        buffer.start();

        assertTrue(wire.isStarted());
        byte[] inbound = frame(5, 0, 70);
        assertTrue(wire.receiveFromWire(inbound));
        assertArrayEquals(inbound, nic.receivedFrames().get(0));
        assertEquals(wire.stats(), buffer.stats());

        buffer.close();
        assertTrue(wire.isClosed());
    }

    @Test
    void shouldRefuseARingSizeThatIsNotAPowerOfTwoOrTooSmall() {
        assertThrows(IllegalArgumentException.class, () -> new OutputCommitBackend(wire, 3 << 20));
        assertThrows(IllegalArgumentException.class, () -> new OutputCommitBackend(wire, 4096));
        assertEquals(OutputCommitBackend.DEFAULT_CAPACITY_BYTES, new OutputCommitBackend(wire).capacityBytes());
    }
}
