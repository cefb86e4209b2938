package dev.twinstep.tools.colo;

import dev.twinstep.tools.control.Json;
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
import java.util.Map;

/**
 * A test's QMP-style session on a child process's {@code --control unix:PATH} socket, as a user's
 * script would hold one: connect (retrying while the socket does not exist yet), negotiate, then
 * one command at a time. Events that arrive between replies are skipped.
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
     * Connects to {@code socket} and negotiates capabilities; retries until {@code timeout} while the
     * process has not opened it yet (a secondary opens its socket only once a primary has connected).
     */
    public static ControlConnection open(Path socket, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                ControlConnection connection = new ControlConnection(channel);
                connection.negotiate();
                return connection;
            } catch (IOException e) {
                channel.close();
                if (System.nanoTime() > deadline) {
                    throw new IOException("control socket " + socket + " did not open within " + timeout + ": "
                            + e.getMessage(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private void negotiate() throws IOException {
        Map<String, Object> greeting = readMessage();
        if (greeting == null || !greeting.containsKey("QMP")) {
            throw new IOException("expected a QMP greeting, got " + greeting);
        }
        Map<String, Object> reply = send("{\"execute\": \"qmp_capabilities\"}");
        if (!reply.containsKey("return")) {
            throw new IOException("capabilities negotiation failed: " + reply);
        }
    }

    /** Runs {@code command} without arguments; returns the whole reply ({@code return} or {@code error}). */
    public Map<String, Object> execute(String command) throws IOException {
        return send("{\"execute\": \"" + command + "\"}");
    }

    /** Runs {@code command} with {@code arguments}; returns the whole reply. */
    public Map<String, Object> execute(String command, Map<String, Object> arguments) throws IOException {
        return send("{\"execute\": " + Json.write(command) + ", \"arguments\": " + Json.write(arguments) + "}");
    }

    /** The {@code return} object of a command that must succeed. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> returnOf(String command) throws IOException {
        Map<String, Object> reply = execute(command);
        Object value = reply.get("return");
        if (!(value instanceof Map)) {
            throw new IOException(command + " failed: " + reply);
        }
        return (Map<String, Object>) value;
    }

    private Map<String, Object> send(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            Map<String, Object> message = readMessage();
            if (message == null) {
                throw new IOException("the control socket closed before replying to " + line);
            }
            if (!message.containsKey("event")) {
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
            return (Map<String, Object>) Json.parse(line);
        } catch (Json.ParseException e) {
            throw new IOException("not JSON from the control socket: " + line, e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
