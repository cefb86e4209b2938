package dev.twinstep.core.state;

/**
 * A {@link Stateful} too large to collect in memory before it is written (guest RAM): it announces
 * its payload's exact length first, and {@link Snapshot#write} then lets {@link #save} write the
 * payload straight into the stream. The snapshot format needs each section's length before its
 * payload, hence the two steps.
 */
public interface StreamedSection extends Stateful {
    /**
     * Decides what the next {@link #save} writes (taking whatever it consumes, such as dirty bits)
     * and returns that payload's length in bytes. {@link #save} must then write exactly that many.
     */
    long preparePayload();
}
