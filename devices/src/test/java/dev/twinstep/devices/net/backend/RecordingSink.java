package dev.twinstep.devices.net.backend;

import dev.twinstep.devices.net.FrameSink;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The guest side of a back end in tests: keeps every frame offered to it, in order. */
public final class RecordingSink implements FrameSink {
    private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();

    @Override
    public boolean offer(byte[] frame, int offset, int length) {
        frames.add(Arrays.copyOfRange(frame, offset, offset + length));
        return true;
    }

    /** @return the next frame, waiting up to five seconds, or null if none came */
    public byte[] next() throws InterruptedException {
        return frames.poll(5, TimeUnit.SECONDS);
    }

    /** @return the next frame if one comes within the given time, else null */
    public byte[] next(long millis) throws InterruptedException {
        return frames.poll(millis, TimeUnit.MILLISECONDS);
    }
}
