package dev.twinstep.colo.net;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.NetStats;
import java.io.IOException;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The COLO primary's guest NIC back end: output commit. A frame the guest transmits in epoch k
 * waits in a preallocated ring until the secondary reports that it has received checkpoint k
 * (vmstate-received); only then does it go to the wrapped back end, in transmit order. Inbound
 * frames are not touched: they go from the wrapped back end straight to the NIC's sink.
 *
 * <p>Threads. The machine thread is the ring's only producer ({@link #transmit}) and the only
 * writer of the epoch number ({@link #closeEpoch}). The ring's consumer is whichever thread holds
 * the release lock: the replication receiver in {@link #release}, the caller of
 * {@link #passThrough}, or the machine thread once unprotected. So the wrapped back end's
 * {@code transmit} is called in frame order and never concurrently with itself, but not always
 * from the machine thread. The machine thread never waits for the lock while protected, and a full
 * ring drops the frame rather than block the guest, as a NIC does under back-pressure.
 *
 * <p>If the secondary is lost, {@link #passThrough} sends everything held and lets later frames
 * through at once: the primary runs on unprotected. Frames still held at {@link #close} are never
 * sent, because their checkpoint was never acknowledged.
 */
public final class OutputCommitBackend implements NetBackend {
    /** Ring size when none is configured: about 5,000 full-size frames, 0.7 s of 100 Mbit/s output. */
    public static final int DEFAULT_CAPACITY_BYTES = 8 << 20;
    /** The smallest ring accepted; it holds frames of up to 8 KiB (one eighth of the ring). */
    public static final int MIN_CAPACITY_BYTES = 64 << 10;
    /** No NIC hands over a larger frame (64 KiB of TCP segmentation offload plus headers). */
    public static final int MAX_FRAME_BYTES = 128 << 10;
    /** The epoch open when the back end is created; the first {@link #closeEpoch()} returns it. */
    public static final long FIRST_EPOCH = 1;

    private static final int FRAME_MSG_TYPE = 1;
    private static final int EPOCH_OFFSET = 0;
    private static final int HELD_SINCE_NANOS_OFFSET = EPOCH_OFFSET + Long.BYTES;
    private static final int FRAME_OFFSET = HELD_SINCE_NANOS_OFFSET + Long.BYTES;

    private final NetBackend delegate;
    private final UnsafeBuffer ringBuffer;
    /** Where a released frame is copied for the wrapped back end, which takes a byte[]. */
    private final byte[] releasedFrame;
    private final OneToOneRingBuffer ring;
    private final int capacityBytes;
    private final int maxFrameBytes;
    private final OutputCommitStats commitStats = new OutputCommitStats();
    private final Object releaseLock = new Object();
    private final FrameReleaser releaser = new FrameReleaser();

    /** Written by the machine thread only; volatile so that {@link #release} can check it. */
    private volatile long openEpoch = FIRST_EPOCH;
    private volatile boolean unprotected;

    /** Guarded by releaseLock. */
    private long releasedThroughEpoch = FIRST_EPOCH - 1;

    /** Wraps a back end with a ring of {@link #DEFAULT_CAPACITY_BYTES}. */
    public OutputCommitBackend(NetBackend delegate) {
        this(delegate, DEFAULT_CAPACITY_BYTES);
    }

    /**
     * @param delegate the real back end; frames reach it only once released
     * @param capacityBytes ring size, a power of two of at least {@link #MIN_CAPACITY_BYTES}; each
     *     held frame takes its length plus 24 bytes, rounded up to 8
     */
    public OutputCommitBackend(NetBackend delegate, int capacityBytes) {
        if (delegate == null) {
            throw new IllegalArgumentException("the output commit buffer needs a back end to wrap");
        }
        if (capacityBytes < MIN_CAPACITY_BYTES || Integer.bitCount(capacityBytes) != 1) {
            throw new IllegalArgumentException("output commit buffer size " + capacityBytes
                    + " B: use a power of two of at least " + MIN_CAPACITY_BYTES + " B");
        }
        this.delegate = delegate;
        this.capacityBytes = capacityBytes;
        // Off-heap and aligned: Agrona's ring needs 8-byte aligned atomics, which a byte[] does not promise.
        ringBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                capacityBytes + RingBufferDescriptor.TRAILER_LENGTH, Long.BYTES * 8));
        ring = new OneToOneRingBuffer(ringBuffer);
        maxFrameBytes = Math.min(ring.maxMsgLength() - FRAME_OFFSET, MAX_FRAME_BYTES);
        releasedFrame = new byte[maxFrameBytes];
    }

    @Override
    public void attach(FrameSink sink) {
        delegate.attach(sink);
    }

    @Override
    public void start() throws IOException {
        delegate.start();
    }

    /**
     * Holds a frame of the open epoch (machine thread). Never blocks while protected: a frame that
     * does not fit is dropped and counted.
     */
    @Override
    public void transmit(byte[] frame, int offset, int length) {
        if (unprotected) {
            transmitUnprotected(frame, offset, length);
            return;
        }
        if (length > maxFrameBytes) {
            commitStats.framesDroppedOversized.incrementAndGet();
            countDropped(length).framesBad.incrementAndGet();
            return;
        }
        int index = ring.tryClaim(FRAME_MSG_TYPE, FRAME_OFFSET + length);
        if (index < 0) {
            commitStats.framesDroppedFull.incrementAndGet();
            countDropped(length).framesDropped.incrementAndGet();
            return;
        }
        ringBuffer.putLong(index + EPOCH_OFFSET, openEpoch);
        ringBuffer.putLong(index + HELD_SINCE_NANOS_OFFSET, System.nanoTime());
        ringBuffer.putBytes(index + FRAME_OFFSET, frame, offset, length);
        ring.commit(index);
        commitStats.bytesAccepted.addAndGet(length);
        // A volatile write (a full fence) between the commit and the read of 'unprotected': either
        // passThrough() sees this frame in the ring, or this thread sees the flag and sends it.
        commitStats.framesAccepted.incrementAndGet();
        if (unprotected) {
            releaseThrough(Long.MAX_VALUE);
        }
    }

    /**
     * Ends the open epoch (machine thread, machine paused at the checkpoint).
     *
     * @return the epoch just closed, k; frames transmitted from now on belong to k + 1
     */
    public long closeEpoch() {
        long closed = openEpoch;
        openEpoch = closed + 1;
        return closed;
    }

    /**
     * Sends every held frame of the given epoch and of earlier ones, in transmit order (the
     * replication receiver thread, on vmstate-received). Frames of later epochs stay held. A
     * release of an epoch at or before one already released sends nothing new.
     *
     * @param epoch a closed epoch, as returned by {@link #closeEpoch()}
     * @throws IllegalArgumentException if the epoch is still open: its output cannot be safe yet
     */
    public void release(long epoch) {
        if (epoch >= openEpoch) {
            throw new IllegalArgumentException("cannot release output of epoch " + epoch
                    + ": it is still open (open epoch " + openEpoch + ")");
        }
        synchronized (releaseLock) {
            if (epoch > releasedThroughEpoch) {
                releasedThroughEpoch = epoch;
            }
            drainThrough(releasedThroughEpoch);
        }
    }

    /**
     * Unprotected mode, for when the secondary is lost (any thread): sends every held frame now, and
     * from then on frames go straight to the wrapped back end, until {@link #protect()}.
     */
    public void passThrough() {
        unprotected = true;
        releaseThrough(Long.MAX_VALUE);
    }

    /**
     * Starts holding output again (a new secondary has just loaded the machine's state): frames of
     * the open epoch and later wait for their checkpoint. Call with the machine paused, so that no
     * {@link #transmit} runs meanwhile.
     */
    public void protect() {
        synchronized (releaseLock) {
            drainThrough(Long.MAX_VALUE);
            releasedThroughEpoch = openEpoch - 1;
            unprotected = false;
        }
    }

    /** @return true while frames go straight out ({@link #passThrough()} without a later {@link #protect()}) */
    public boolean isUnprotected() {
        return unprotected;
    }

    /** @return the epoch that frames transmitted now belong to */
    public long openEpoch() {
        return openEpoch;
    }

    /** @return the ring size in bytes */
    public int capacityBytes() {
        return capacityBytes;
    }

    /** @return the largest frame the ring can hold, at most {@link #MAX_FRAME_BYTES}; larger ones are dropped */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** @return held, released and dropped counters of this buffer */
    public OutputCommitStats commitStats() {
        return commitStats;
    }

    /**
     * The wrapped back end's counters. Frames this buffer drops count there too, as sent by the
     * guest ({@code framesOut}) and dropped ({@code framesDropped}, or {@code framesBad} if oversized).
     */
    @Override
    public NetStats stats() {
        return delegate.stats();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private void transmitUnprotected(byte[] frame, int offset, int length) {
        synchronized (releaseLock) {
            // Frames held before passThrough() may still be in the ring; they go first.
            drainThrough(Long.MAX_VALUE);
            commitStats.bytesAccepted.addAndGet(length);
            commitStats.framesAccepted.incrementAndGet();
            delegate.transmit(frame, offset, length);
            commitStats.bytesReleased.addAndGet(length);
            commitStats.framesReleased.incrementAndGet();
        }
    }

    private void releaseThrough(long lastEpoch) {
        synchronized (releaseLock) {
            drainThrough(lastEpoch);
        }
    }

    /** Caller holds releaseLock, which makes it the ring's one consumer. */
    private void drainThrough(long lastEpoch) {
        releaser.begin(lastEpoch, System.nanoTime());
        long positionBefore;
        do {
            // One read stops at the end of the ring's byte array; go on until nothing moves.
            positionBefore = ring.consumerPosition();
            ring.controlledRead(releaser);
        } while (!releaser.reachedLaterEpoch && ring.consumerPosition() != positionBefore);
        if (releaser.longestHoldNanos > commitStats.maxHoldNanos.get()) {
            commitStats.maxHoldNanos.set(releaser.longestHoldNanos);
        }
    }

    private NetStats countDropped(int length) {
        NetStats stats = delegate.stats();
        stats.framesOut.incrementAndGet();
        stats.bytesOut.addAndGet(length);
        return stats;
    }

    /** Hands held frames to the wrapped back end until it meets a frame of a later epoch. */
    private final class FrameReleaser implements ControlledMessageHandler {
        private long lastEpoch;
        private long nowNanos;
        private long longestHoldNanos;
        private boolean reachedLaterEpoch;

        void begin(long lastEpochToRelease, long startNanos) {
            lastEpoch = lastEpochToRelease;
            nowNanos = startNanos;
            longestHoldNanos = 0;
            reachedLaterEpoch = false;
        }

        @Override
        public Action onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            if (buffer.getLong(index + EPOCH_OFFSET) > lastEpoch) {
                reachedLaterEpoch = true;
                return Action.ABORT;
            }
            long heldNanos = nowNanos - buffer.getLong(index + HELD_SINCE_NANOS_OFFSET);
            if (heldNanos > longestHoldNanos) {
                longestHoldNanos = heldNanos;
            }
            int frameLength = length - FRAME_OFFSET;
            buffer.getBytes(index + FRAME_OFFSET, releasedFrame, 0, frameLength);
            delegate.transmit(releasedFrame, 0, frameLength);
            commitStats.bytesReleased.addAndGet(frameLength);
            commitStats.framesReleased.incrementAndGet();
            return Action.CONTINUE;
        }
    }
}
