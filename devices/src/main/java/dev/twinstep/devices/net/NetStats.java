package dev.twinstep.devices.net;

import java.util.concurrent.atomic.AtomicLong;

/** Traffic and drop counters of one NIC back end. Updated from any thread; read by humans and tests. */
public final class NetStats {
    public final AtomicLong framesOut = new AtomicLong();
    public final AtomicLong bytesOut = new AtomicLong();
    public final AtomicLong framesIn = new AtomicLong();
    public final AtomicLong bytesIn = new AtomicLong();
    /** Frames that were malformed (oversized, truncated length prefix, bad header) and dropped. */
    public final AtomicLong framesBad = new AtomicLong();
    /** Frames dropped because a queue was full or the peer was gone. */
    public final AtomicLong framesDropped = new AtomicLong();

    @Override
    public String toString() {
        return "out " + framesOut + " frames/" + bytesOut + " B, in " + framesIn + " frames/" + bytesIn
                + " B, bad " + framesBad + ", dropped " + framesDropped;
    }
}
