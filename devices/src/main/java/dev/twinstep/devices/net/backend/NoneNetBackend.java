package dev.twinstep.devices.net.backend;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.NetStats;

/**
 * A NIC with its cable unplugged ({@code --netdev none}): every frame from the guest is counted and
 * dropped, and nothing ever arrives.
 */
public final class NoneNetBackend implements NetBackend {
    private final NetStats stats = new NetStats();

    @Override
    public void attach(FrameSink sink) {
        // Nothing will ever be delivered.
    }

    @Override
    public void start() {
        // No host resources.
    }

    @Override
    public void transmit(byte[] frame, int offset, int length) {
        stats.framesOut.incrementAndGet();
        stats.bytesOut.addAndGet(length);
        stats.framesDropped.incrementAndGet();
    }

    @Override
    public NetStats stats() {
        return stats;
    }

    @Override
    public void close() {
        // No host resources.
    }
}
