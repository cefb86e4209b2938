package dev.twinstep.devices.net;

/**
 * The host side of a guest NIC: where the guest's Ethernet frames go, and where frames for the
 * guest come from. Implementations: none, stream (QEMU's -netdev stream framing), user (built-in
 * gateway with UDP host forwarding), tap.
 *
 * <p>Threads: {@link #transmit} is called on the machine thread and must not block for long (queue
 * the frame and let an I/O thread write it). Received frames are handed to the {@link FrameSink}
 * from the back end's own I/O thread(s); the sink queues them for the machine thread.
 */
public interface NetBackend extends AutoCloseable {
    /** Connects the receive direction; called once, before {@link #start()}. */
    void attach(FrameSink sink);

    /** Starts the back end's I/O threads (connect, listen, bind). Errors here are user errors. */
    void start() throws java.io.IOException;

    /** Sends one frame from the guest; the bytes are copied before this returns. */
    void transmit(byte[] frame, int offset, int length);

    /** Counters for humans and tests: frames and bytes each way, frames dropped and why. */
    NetStats stats();

    /** Stops the I/O threads and releases host resources (sockets, TAP fd, ports). */
    @Override
    void close();
}
