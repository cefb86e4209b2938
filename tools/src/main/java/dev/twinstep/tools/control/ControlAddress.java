package dev.twinstep.tools.control;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Where the control socket listens: {@code unix:PATH} or {@code tcp:127.0.0.1:PORT}. TCP is
 * loopback only because the protocol has no authentication: anyone who reaches it owns the machine.
 */
public record ControlAddress(Path unixPath, int tcpPort) {

    /** Parses the {@code --control} value; throws {@link IllegalArgumentException} with a usage message. */
    public static ControlAddress parse(String spec) {
        if (spec.startsWith("unix:")) {
            String path = spec.substring("unix:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("--control unix:PATH needs a path");
            }
            return new ControlAddress(Path.of(path), -1);
        }
        if (spec.startsWith("tcp:")) {
            String rest = spec.substring("tcp:".length());
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("--control tcp: needs HOST:PORT, as in tcp:127.0.0.1:4444");
            }
            String host = rest.substring(0, colon);
            if (!host.equals("127.0.0.1")) {
                throw new IllegalArgumentException("--control tcp: listens on 127.0.0.1 only (the protocol has no "
                        + "authentication), got host '" + host + "'");
            }
            int port;
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--control tcp: bad port '" + rest.substring(colon + 1) + "'");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--control tcp: port " + port + " is out of range 0-65535");
            }
            return new ControlAddress(null, port);
        }
        throw new IllegalArgumentException("--control must be unix:PATH or tcp:127.0.0.1:PORT, got '" + spec + "'");
    }

    /** Whether this is a Unix domain socket address. */
    public boolean isUnix() {
        return unixPath != null;
    }

    /**
     * Binds a listening channel. An existing Unix socket path is refused rather than deleted: it may
     * belong to another running machine.
     */
    ServerSocketChannel bind() throws IOException {
        if (isUnix()) {
            if (Files.exists(unixPath, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("control socket path '" + unixPath + "' already exists; remove it or choose another");
            }
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(unixPath));
            return channel;
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.INET);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcpPort));
        return channel;
    }

    @Override
    public String toString() {
        return isUnix() ? "unix:" + unixPath : "tcp:127.0.0.1:" + tcpPort;
    }

    /** picocli converter for {@code --control}. */
    public static final class Converter implements ITypeConverter<ControlAddress> {
        @Override
        public ControlAddress convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
