package dev.twinstep.colo.wire;

import java.net.InetSocketAddress;

/** A replication endpoint as users write it: {@code tcp:HOST:PORT}. */
public record ReplicationAddress(String host, int port) {
    /**
     * Parses {@code tcp:HOST:PORT}.
     *
     * @throws IllegalArgumentException with a message that shows the expected form
     */
    public static ReplicationAddress parse(String text) {
        if (text == null || !text.startsWith("tcp:")) {
            throw new IllegalArgumentException("expected tcp:HOST:PORT, got '" + text + "'");
        }
        String rest = text.substring(4);
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
            throw new IllegalArgumentException("expected tcp:HOST:PORT, got '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(rest.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in '" + text + "'");
        }
        String host = rest.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ReplicationAddress(host, port);
    }

    /** The socket address to bind or connect to. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
