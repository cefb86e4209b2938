package dev.twinstep.tools.control;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A test's side of the control socket: sends raw lines, reads replies, and keeps the events it passes. */
final class ControlClient implements Closeable {
    final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    final List<Map<String, Object>> events = new ArrayList<>();

    private ControlClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    static ControlClient unix(Path path) throws IOException {
        return connect(StandardProtocolFamily.UNIX, UnixDomainSocketAddress.of(path));
    }

    static ControlClient tcp(int port) throws IOException {
        return connect(StandardProtocolFamily.INET, new InetSocketAddress("127.0.0.1", port));
    }

    private static ControlClient connect(StandardProtocolFamily family, SocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open(family);
        channel.connect(address);
        return new ControlClient(channel);
    }

    /** Reads one line as a JSON object; null at end of stream. */
    @SuppressWarnings("unchecked")
    Map<String, Object> readMessage() throws Exception {
        String line = in.readLine();
        return line == null ? null : (Map<String, Object>) Json.parse(line);
    }

    /** Reads the greeting and negotiates capabilities. */
    ControlClient negotiated() throws Exception {
        Map<String, Object> greeting = readMessage();
        if (greeting == null || !greeting.containsKey("QMP")) {
            throw new AssertionError("expected a QMP greeting, got " + greeting);
        }
        Map<String, Object> reply = send("{\"execute\": \"qmp_capabilities\"}");
        if (!reply.containsKey("return")) {
            throw new AssertionError("negotiation failed: " + reply);
        }
        return this;
    }

    /** Sends one raw line and returns the next reply, keeping events that arrive before it. */
    Map<String, Object> send(String line) throws Exception {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return nextReply();
    }

    Map<String, Object> execute(String command) throws Exception {
        return send("{\"execute\": \"" + command + "\"}");
    }

    Map<String, Object> nextReply() throws Exception {
        while (true) {
            Map<String, Object> message = readMessage();
            if (message == null) {
                throw new AssertionError("the server closed the connection before replying");
            }
            if (message.containsKey("event")) {
                events.add(message);
            } else {
                return message;
            }
        }
    }

    /** Waits for the named event, returning it. */
    Map<String, Object> awaitEvent(String name) throws Exception {
        for (Map<String, Object> event : events) {
            if (name.equals(event.get("event"))) {
                return event;
            }
        }
        while (true) {
            Map<String, Object> message = readMessage();
            if (message == null) {
                throw new AssertionError("connection closed before event " + name);
            }
            if (name.equals(message.get("event"))) {
                events.add(message);
                return message;
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
