package dev.twinstep.colo.net;

import dev.twinstep.devices.net.FrameSink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The NIC side of a back end, for tests: keeps a copy of every frame delivered for the guest. */
final class RecordingFrameSink implements FrameSink {
    private final List<byte[]> received = new ArrayList<>();

    @Override
    public synchronized boolean offer(byte[] frame, int offset, int length) {
        received.add(Arrays.copyOfRange(frame, offset, offset + length));
        return true;
    }

    synchronized List<byte[]> receivedFrames() {
        return new ArrayList<>(received);
    }
}
