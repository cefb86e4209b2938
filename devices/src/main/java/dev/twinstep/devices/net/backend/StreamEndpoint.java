package dev.twinstep.devices.net.backend;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * Where a stream back end's wire is: a TCP address or a Unix socket path, and whether this side
 * listens ({@code server=on}) or connects.
 *
 * @param server  true to listen and accept the peer, false to connect to it
 * @param address an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}
 */
public record StreamEndpoint(boolean server, SocketAddress address) {
    public StreamEndpoint {
        if (!(address instanceof InetSocketAddress) && !(address instanceof UnixDomainSocketAddress)) {
            throw new IllegalArgumentException("a stream address is inet or unix, not " + address);
        }
    }

    /** @return the endpoint for humans, e.g. "tcp 127.0.0.1:5555" or "unix /tmp/net.sock" */
    public String describe() {
        if (address instanceof UnixDomainSocketAddress) {
            return "unix " + ((UnixDomainSocketAddress) address).getPath();
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        return "tcp " + inet.getHostString() + ":" + inet.getPort();
    }
}
