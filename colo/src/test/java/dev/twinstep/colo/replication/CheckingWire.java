package dev.twinstep.colo.replication;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.NetStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;

/**
 * The real network behind the output-commit buffer, as a test sees it: it records every frame that
 * leaves, and for each frame that was held when the guest sent it, checks that the secondary had
 * already reported vmstate-received for the frame's epoch ({@code receivedThrough}) when it left.
 */
final class CheckingWire implements NetBackend {
    private final NetStats stats = new NetStats();
    private final LongSupplier receivedThrough;
    private final List<byte[]> frames = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final CountDownLatch heldFramesReleased;
    private final long countFromEpoch;

    /**
     * @param receivedThrough the highest epoch the secondary has acknowledged as received, so far
     * @param heldFrames how many released held frames of epoch {@code fromEpoch} or later open {@link #awaitHeldFrames()}
     */
    CheckingWire(LongSupplier receivedThrough, int heldFrames, long fromEpoch) {
        this.receivedThrough = receivedThrough;
        this.heldFramesReleased = new CountDownLatch(heldFrames);
        this.countFromEpoch = fromEpoch;
    }

    @Override
    public void attach(FrameSink sink) {
    }

    @Override
    public void start() {
    }

    @Override
    public synchronized void transmit(byte[] frame, int offset, int length) {
        byte[] copy = Arrays.copyOfRange(frame, offset, offset + length);
        frames.add(copy);
        stats.framesOut.incrementAndGet();
        if (!FramePort.heldWhenSent(copy)) {
            return;
        }
        long epoch = FramePort.epochOf(copy);
        long acknowledged = receivedThrough.getAsLong();
        if (epoch > acknowledged) {
            violations.add("frame " + FramePort.sequenceOf(copy) + " of epoch " + epoch
                    + " left when the secondary had received only through epoch " + acknowledged);
        }
        if (epoch >= countFromEpoch) {
            heldFramesReleased.countDown();
        }
    }

    /** Waits until the expected number of held frames has left; false on timeout. */
    boolean awaitHeldFrames() throws InterruptedException {
        return heldFramesReleased.await(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    synchronized List<byte[]> frames() {
        return List.copyOf(frames);
    }

    @Override
    public NetStats stats() {
        return stats;
    }

    @Override
    public void close() {
    }
}
