package dev.twinstep.colo.net;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of the primary's output-commit buffer. Each counter has one writer: the machine thread
 * writes the accepted and dropped counters, whichever thread releases writes the released counters
 * and the hold latency. Anyone may read them.
 */
public final class OutputCommitStats {
    /** Frames the guest transmitted that went into the buffer (or straight through when unprotected). */
    public final AtomicLong framesAccepted = new AtomicLong();
    /** Bytes of {@link #framesAccepted}. */
    public final AtomicLong bytesAccepted = new AtomicLong();
    /** Frames handed to the wrapped back end. */
    public final AtomicLong framesReleased = new AtomicLong();
    /** Bytes of {@link #framesReleased}. */
    public final AtomicLong bytesReleased = new AtomicLong();
    /** Frames dropped because the buffer had no room left (the secondary is slow to acknowledge). */
    public final AtomicLong framesDroppedFull = new AtomicLong();
    /** Frames dropped because one frame is larger than the buffer can ever hold. */
    public final AtomicLong framesDroppedOversized = new AtomicLong();
    /** The longest time any released frame waited in the buffer, in nanoseconds. */
    public final AtomicLong maxHoldNanos = new AtomicLong();

    /** @return frames in the buffer now, waiting for their checkpoint to be acknowledged */
    public long framesHeld() {
        // Released first: accepted only grows, so the difference can overstate but never go negative.
        long released = framesReleased.get();
        return framesAccepted.get() - released;
    }

    /** @return bytes of the frames in the buffer now */
    public long bytesHeld() {
        long released = bytesReleased.get();
        return bytesAccepted.get() - released;
    }

    @Override
    public String toString() {
        return "held " + framesHeld() + " frames/" + bytesHeld() + " B, released " + framesReleased + " frames/"
                + bytesReleased + " B, dropped full " + framesDroppedFull + ", dropped oversized "
                + framesDroppedOversized + ", max hold " + maxHoldNanos.get() / 1000 + " us";
    }
}
