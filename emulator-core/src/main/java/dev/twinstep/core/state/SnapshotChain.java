package dev.twinstep.core.state;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Which full snapshot a machine's RAM descends from, and how many deltas were taken or applied
 * since, so that a RAM delta is only ever applied on top of the very state it was taken against.
 */
public final class SnapshotChain {
    /** No full snapshot was taken or loaded yet: no delta fits. */
    public static final long NONE = 0;

    private long baseId = NONE;
    private int sequence;

    /** The id of the full snapshot the current RAM descends from, or {@link #NONE}. */
    public long baseId() {
        return baseId;
    }

    /** How many deltas follow the base so far. */
    public int sequence() {
        return sequence;
    }

    /** A full snapshot starts a new chain; returns its id. */
    long startNew() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == NONE);
        adopt(id, 0);
        return id;
    }

    /** The RAM now is link {@code sequence} of chain {@code id} (also: rolls back a save that failed). */
    public void adopt(long id, int sequenceNumber) {
        this.baseId = id;
        this.sequence = sequenceNumber;
    }

    /**
     * Refuses a delta (chain {@code id}, link {@code sequenceNumber}) that does not directly follow
     * the current RAM.
     */
    public void checkFollows(long id, int sequenceNumber) {
        if (id != baseId || sequenceNumber != sequence + 1) {
            throw new StateFormatException("RAM delta " + sequenceNumber + " of snapshot chain " + Long.toHexString(id)
                    + " does not follow this machine's RAM (" + (baseId == NONE ? "no base snapshot loaded"
                    : "chain " + Long.toHexString(baseId) + " at " + sequence) + ")");
        }
    }
}
