package dev.twinstep.devices.net.backend.tap;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.NetStats;
import dev.twinstep.devices.net.backend.TransmitQueue;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * {@code --netdev tap,ifname=NAME}: the guest's NIC joined to a Linux TAP interface, so the host (or
 * a bridge) sees the guest's frames. A reader thread delivers frames from the interface; a writer
 * thread sends the guest's frames. A write the kernel refuses counts the frame as dropped.
 */
public final class TapNetBackend implements NetBackend {
    /** Largest frame read or written (an interface with a 64 KiB MTU still fits). */
    public static final int MAX_FRAME_BYTES = 65535;
    private static final int TRANSMIT_QUEUE_FRAMES = 256;
    private static final int POLL_MILLIS = 100;

    private final String interfaceName;
    private final NetStats stats = new NetStats();
    private final TransmitQueue transmitQueue = new TransmitQueue(TRANSMIT_QUEUE_FRAMES);
    private FrameSink sink;
    private LinuxTap tap;
    private volatile boolean closed;
    private Thread reader;
    private Thread writer;

    /** @param interfaceName the TAP interface, e.g. tap0 */
    public TapNetBackend(String interfaceName) {
        this.interfaceName = interfaceName;
    }

    @Override
    public void attach(FrameSink sink) {
        this.sink = sink;
    }

    /** Opens the interface; a missing permission or interface fails here, before the guest starts. */
    @Override
    public void start() throws IOException {
        if (sink == null) {
            throw new IllegalStateException("attach a FrameSink before start()");
        }
        tap = LinuxTap.open(interfaceName, MAX_FRAME_BYTES);
        reader = new Thread(this::readLoop, "twinstep-net-tap-reader");
        writer = new Thread(this::writeLoop, "twinstep-net-tap-writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    @Override
    public void transmit(byte[] frame, int offset, int length) {
        stats.framesOut.incrementAndGet();
        stats.bytesOut.addAndGet(length);
        if (length > MAX_FRAME_BYTES || !transmitQueue.offer(frame, offset, length)) {
            stats.framesDropped.incrementAndGet();
        }
    }

    @Override
    public NetStats stats() {
        return stats;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread thread : new Thread[] {reader, writer}) {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (tap != null) {
            tap.close(); // after the threads stopped, so no read or write uses a closed descriptor
        }
    }

    private void readLoop() {
        byte[] frame = new byte[MAX_FRAME_BYTES];
        try {
            while (!closed) {
                int length = tap.read(frame, POLL_MILLIS);
                if (length < 0) {
                    return;
                }
                if (length == 0) {
                    continue;
                }
                if (sink.offer(frame, 0, length)) { // a refused frame is counted by the sink
                    stats.framesIn.incrementAndGet();
                    stats.bytesIn.addAndGet(length);
                }
            }
        } catch (IOException e) {
            // The interface went away (deleted by the host): the guest keeps running without a wire.
        }
    }

    private void writeLoop() {
        while (!closed) {
            TransmitQueue.Slot slot;
            try {
                slot = transmitQueue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (slot == null) {
                continue;
            }
            try {
                tap.write(slot.bytes(), slot.length());
            } catch (IOException e) {
                stats.framesDropped.incrementAndGet();
            }
            transmitQueue.recycle(slot);
        }
    }
}
