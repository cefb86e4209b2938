package dev.twinstep.devices.net.virtio;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.NetStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A back end for tests: keeps every transmitted frame and lets the test inject received ones. */
final class RecordingBackend implements NetBackend {
    final List<byte[]> transmitted = new ArrayList<>();
    final NetStats stats = new NetStats();
    FrameSink sink;

    @Override
    public void attach(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public void start() {
    }

    @Override
    public void transmit(byte[] frame, int offset, int length) {
        transmitted.add(Arrays.copyOfRange(frame, offset, offset + length));
    }

    @Override
    public NetStats stats() {
        return stats;
    }

    @Override
    public void close() {
    }
}
