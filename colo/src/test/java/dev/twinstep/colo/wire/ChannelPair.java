package dev.twinstep.colo.wire;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Two ends of one real loopback TCP connection, each a {@link ReplicationChannel}: {@link #source}
 * plays the connecting side (primary, migration source), {@link #target} the accepting side.
 */
public final class ChannelPair implements AutoCloseable {
    /** The connecting end. */
    public final ReplicationChannel source;
    /** The accepting end. */
    public final ReplicationChannel target;

    private ChannelPair(ReplicationChannel source, ReplicationChannel target) {
        this.source = source;
        this.target = target;
    }

    /** Opens a connection on an ephemeral loopback port. */
    public static ChannelPair open() throws IOException {
        try (ServerSocket server = ReplicationChannel.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1)) {
            // The backlog completes the TCP handshake, so connecting before accepting cannot hang.
            ReplicationChannel source = ReplicationChannel.connect(
                    new ReplicationAddress(InetAddress.getLoopbackAddress().getHostAddress(), server.getLocalPort()), 2000);
            return new ChannelPair(source, ReplicationChannel.accept(server));
        }
    }

    @Override
    public void close() {
        source.close();
        target.close();
    }
}
