package dev.twinstep.tools.control;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client of a twinstep control socket (docs/control-protocol.md), for the demo and the tests:
 * greeting, capability negotiation, then one command at a time; events that arrive between replies
 * are skipped.
 */
public final class ControlConnection implements Closeable {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private ControlConnection(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects to {@code path} and negotiates, retrying until {@code timeout} while the process has
     * not opened its socket yet (a secondary opens it only once a primary has connected).
     */
    public static ControlConnection open(Path path, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return open(path);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("control socket " + path + " did not open within " + timeout + ": "
                            + e.getMessage(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Connects to the unix socket at {@code path} and negotiates capabilities. */
    public static ControlConnection open(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path));
            ControlConnection connection = new ControlConnection(channel);
            Map<String, Object> greeting = connection.readMessage();
            if (greeting == null || !greeting.containsKey("QMP")) {
                throw new IOException("no control-protocol greeting on " + path);
            }
            connection.execute("qmp_capabilities", Map.of());
            return connection;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Runs {@code command} and returns its result object; an error reply is an IOException with its reason. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> execute(String command, Map<String, Object> arguments) throws IOException {
        Map<String, Object> message = reply(command, arguments);
        if (message.containsKey("error")) {
            Object error = message.get("error");
            Object desc = error instanceof Map<?, ?> e ? e.get("desc") : error;
            throw new IOException(command + ": " + desc);
        }
        Object result = message.get("return");
        return result instanceof Map ? (Map<String, Object>) result : Map.of();
    }

    /** Runs {@code command} and returns the whole reply, {@code return} or {@code error}. */
    public Map<String, Object> reply(String command, Map<String, Object> arguments) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("execute", command);
        if (!arguments.isEmpty()) {
            request.put("arguments", arguments);
        }
        out.write((Json.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            Map<String, Object> message = readMessage();
            if (message == null) {
                throw new IOException("the control connection closed before the reply to " + command);
            }
            if (message.containsKey("return") || message.containsKey("error")) {
                return message;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readMessage() throws IOException {
        String line = in.readLine();
        if (line == null) {
            return null;
        }
        try {
            Object value = Json.parse(line);
            if (!(value instanceof Map)) {
                throw new IOException("control message is not a JSON object: " + line);
            }
            return (Map<String, Object>) value;
        } catch (Json.ParseException e) {
            throw new IOException("malformed control message: " + e.getMessage());
        }
    }

    /** Connects, runs one command, and disconnects. */
    public static Map<String, Object> executeOnce(Path path, String command, Map<String, Object> arguments) throws IOException {
        try (ControlConnection connection = open(path)) {
            return connection.execute(command, arguments);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
