package dev.twinstep.tools.control;

import dev.twinstep.core.machine.Machine;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The QMP-like control socket: one JSON object per line each way. Each client gets a greeting, must
 * negotiate with {@code qmp_capabilities}, then sends commands; events go to every negotiated client.
 * Socket I/O runs on its own daemon threads, never on the machine thread.
 */
public final class ControlServer implements Closeable {
    /** Longest request line accepted; a control request is a few hundred bytes at most. */
    private static final int MAX_LINE_BYTES = 64 * 1024;

    private final ServerSocketChannel listener;
    private final ControlAddress address;
    private final ControlCommands commands;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean shutdown;
    private volatile boolean closed;

    private ControlServer(ServerSocketChannel listener, ControlAddress address, Machine machine,
            List<ControlExtension> extensions) {
        this.listener = listener;
        this.address = address;
        this.commands = new ControlCommands(machine, this, extensions);
        this.acceptor = new Thread(this::acceptLoop, "twinstep-control-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Binds {@code address} and starts accepting clients.
     *
     * @throws IOException when the address cannot be bound (a Unix path that exists, a busy port)
     */
    public static ControlServer start(ControlAddress address, Machine machine) throws IOException {
        return start(address, machine, List.of());
    }

    /** As {@link #start(ControlAddress, Machine)}, with the commands of {@code extensions} as well. */
    public static ControlServer start(ControlAddress address, Machine machine, List<ControlExtension> extensions)
            throws IOException {
        ControlServer server = new ControlServer(address.bind(), address, machine, extensions);
        server.acceptor.start();
        return server;
    }

    /** The TCP port actually bound (useful with port 0), or -1 for a Unix socket. */
    public int tcpPort() throws IOException {
        if (address.isUnix()) {
            return -1;
        }
        return ((java.net.InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    /** Tells clients the machine has stopped for good; later commands that need it fail. */
    public void machineFinished() {
        shutdown = true;
        broadcastEvent("SHUTDOWN");
    }

    boolean isShutdown() {
        return shutdown;
    }

    /** Sends {@code {"event": name, "timestamp": ...}} to every negotiated client. */
    public void broadcastEvent(String name) {
        broadcastEvent(name, null);
    }

    /** Sends {@code {"event": name, "data": data, "timestamp": ...}} to every negotiated client. */
    public void broadcastEvent(String name, Map<String, Object> data) {
        long micros = System.currentTimeMillis() * 1000;
        Map<String, Object> timestamp = new LinkedHashMap<>();
        timestamp.put("seconds", micros / 1_000_000);
        timestamp.put("microseconds", micros % 1_000_000);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", name);
        if (data != null) {
            event.put("data", data);
        }
        event.put("timestamp", timestamp);
        String line = Json.write(event);
        for (Session session : sessions) {
            if (session.negotiated) {
                session.send(line);
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                if (!address.isUnix()) {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
            } catch (IOException e) {
                closeQuietly(channel);
                continue;
            }
            Session session = new Session(channel);
            sessions.add(session);
            Thread thread = new Thread(session::serve, "twinstep-control-client");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Stops accepting, disconnects every client and removes the Unix socket file. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (Session session : sessions) {
            session.close();
        }
        if (address.isUnix()) {
            try {
                Files.deleteIfExists(address.unixPath());
            } catch (IOException e) {
                // Leaving a stale socket file only makes the next bind to this path fail clearly.
            }
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // Already gone: nothing to release.
        }
    }

    /** One connected client: its reader thread runs {@link #serve}; any thread may {@link #send}. */
    private final class Session {
        private final SocketChannel channel;
        private final ByteBuffer readBuffer = ByteBuffer.allocate(4096);
        private volatile boolean negotiated;

        Session(SocketChannel channel) {
            this.channel = channel;
            readBuffer.flip();
        }

        void serve() {
            try {
                Map<String, Object> version = new LinkedHashMap<>();
                Map<String, Object> qemu = new LinkedHashMap<>();
                qemu.put("major", 0L);
                qemu.put("minor", 1L);
                qemu.put("micro", 0L);
                version.put("qemu", qemu);
                version.put("package", "twinstep");
                Map<String, Object> greeting = new LinkedHashMap<>();
                greeting.put("version", version);
                greeting.put("capabilities", List.of());
                send(Json.write(Map.of("QMP", greeting)));
                String line;
                while ((line = readLine()) != null) {
                    if (!line.isBlank()) {
                        handle(line);
                    }
                }
            } catch (IOException e) {
                // The client went away or the server is closing: just end this session.
            } finally {
                sessions.remove(this);
                close();
            }
        }

        /**
         * Reads straight from the channel, not through {@code Channels.newInputStream}: on Java 17 that
         * stream holds the channel's blocking lock while it waits, which would block event writes.
         */
        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                while (readBuffer.hasRemaining()) {
                    byte b = readBuffer.get();
                    if (b == '\n') {
                        return line.toString(StandardCharsets.UTF_8);
                    }
                    if (line.size() >= MAX_LINE_BYTES) {
                        sendError(null, "request line longer than " + MAX_LINE_BYTES + " bytes");
                        throw new IOException("request too long");
                    }
                    line.write(b);
                }
                readBuffer.clear();
                int n = channel.read(readBuffer);
                readBuffer.flip();
                if (n < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
            }
        }

        private void handle(String line) {
            Object request;
            try {
                request = Json.parse(line);
            } catch (Json.ParseException e) {
                sendError(null, "JSON parse error, " + e.getMessage());
                return;
            }
            if (!(request instanceof Map<?, ?> map)) {
                sendError(null, "QMP input must be a JSON object");
                return;
            }
            Object id = map.get("id");
            Object execute = map.get("execute");
            if (!(execute instanceof String name)) {
                sendError(id, "QMP input lacks member 'execute' (a string)");
                return;
            }
            for (Object key : map.keySet()) {
                if (!key.equals("execute") && !key.equals("arguments") && !key.equals("id")) {
                    sendError(id, "QMP input member '" + key + "' is unexpected");
                    return;
                }
            }
            Object arguments = map.containsKey("arguments") ? map.get("arguments") : Map.of();
            if (!(arguments instanceof Map<?, ?>)) {
                sendError(id, "QMP input member 'arguments' must be an object");
                return;
            }
            if (!negotiated) {
                if (name.equals("qmp_capabilities")) {
                    negotiated = true;
                    sendReturn(id, Map.of());
                } else {
                    sendError(id, "Expecting capabilities negotiation with 'qmp_capabilities'");
                }
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> args = (Map<String, Object>) arguments;
            try {
                sendReturn(id, commands.execute(name, args));
                commands.afterReply(name);
            } catch (CommandException e) {
                sendError(id, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sendError(id, "interrupted");
            } catch (RuntimeException | Error e) {
                // A bug, not the client's fault: the client still gets an answer rather than a hang.
                sendError(id, "internal error in " + name + ": " + e);
            }
        }

        private void sendReturn(Object id, Map<String, Object> value) {
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("return", value);
            if (id != null) {
                reply.put("id", id);
            }
            send(Json.write(reply));
        }

        private void sendError(Object id, String description) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("class", "GenericError");
            error.put("desc", description);
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("error", error);
            if (id != null) {
                reply.put("id", id);
            }
            send(Json.write(reply));
        }

        /** Writes one line; replies and events from other threads never interleave within a line. */
        synchronized void send(String line) {
            try {
                ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            } catch (IOException e) {
                close();
            }
        }

        synchronized void close() {
            closeQuietly(channel);
        }
    }
}
