package dev.twinstep.devices.net;

/**
 * Where a back end delivers frames for the guest. Thread-safe: called from I/O threads. The frame
 * bytes are copied before this returns; a full queue drops the frame (and counts it), as a real
 * wire would when the receiver is not keeping up.
 */
public interface FrameSink {
    /** @return false if the frame was dropped (queue full or frame too large) */
    boolean offer(byte[] frame, int offset, int length);
}
