package dev.twinstep.colo.net;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.NetStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of a real back end: keeps a copy of every frame it is asked to send, notices if
 * two threads ever call transmit at once, and can play a frame arriving from the wire.
 */
final class RecordingNetBackend implements NetBackend {
    private final NetStats stats = new NetStats();
    private final List<byte[]> sent = new ArrayList<>();
    private final AtomicInteger transmitsInProgress = new AtomicInteger();
    private volatile boolean overlappingTransmitSeen;
    private volatile FrameSink sink;
    private volatile boolean started;
    private volatile boolean closed;
    private IOException startFailure;

    /** Makes {@link #start()} fail, as a back end whose port is taken would. */
    RecordingNetBackend failingToStartWith(IOException failure) {
        startFailure = failure;
        return this;
    }

    @Override
    public void attach(FrameSink frameSink) {
        sink = frameSink;
    }

    @Override
    public void start() throws IOException {
        if (startFailure != null) {
            throw startFailure;
        }
        started = true;
    }

    @Override
    public void transmit(byte[] frame, int offset, int length) {
        if (transmitsInProgress.incrementAndGet() != 1) {
            overlappingTransmitSeen = true;
        }
        stats.framesOut.incrementAndGet();
        stats.bytesOut.addAndGet(length);
        synchronized (sent) {
            sent.add(Arrays.copyOfRange(frame, offset, offset + length));
        }
        transmitsInProgress.decrementAndGet();
    }

    /** Plays a frame arriving from the wire for the guest. */
    boolean receiveFromWire(byte[] frame) {
        stats.framesIn.incrementAndGet();
        stats.bytesIn.addAndGet(frame.length);
        return sink.offer(frame, 0, frame.length);
    }

    /** @return copies of the frames sent so far, in the order they were sent */
    List<byte[]> sentFrames() {
        synchronized (sent) {
            return new ArrayList<>(sent);
        }
    }

    int sentCount() {
        synchronized (sent) {
            return sent.size();
        }
    }

    boolean overlappingTransmitSeen() {
        return overlappingTransmitSeen;
    }

    FrameSink sink() {
        return sink;
    }

    boolean isStarted() {
        return started;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public NetStats stats() {
        return stats;
    }

    @Override
    public void close() {
        closed = true;
    }
}
