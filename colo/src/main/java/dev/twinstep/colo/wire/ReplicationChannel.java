package dev.twinstep.colo.wire;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One replication connection: a TCP socket with TCP_NODELAY (a small acknowledgement must never wait
 * for a delayed ACK), message codes from {@link ColoMessage}, and liveness.
 *
 * <p>Writers: any thread, one message at a time under the write lock ({@link #write}), so a heartbeat
 * never lands inside an epoch. Reader: one thread. Every byte received counts as a sign of life, so a
 * peer busy sending a large epoch is never taken for dead; {@link #readMessage()} skips heartbeats.
 */
public final class ReplicationChannel implements AutoCloseable {
    /** The protocol version this build speaks; the handshake refuses any other. */
    public static final int PROTOCOL_VERSION = 1;
    private static final int BUFFER_BYTES = 1 << 18;
    /** Strings on the wire (reasons, descriptions) are short; a larger length means a broken stream. */
    private static final int MAX_STRING_BYTES = 1 << 16;

    /** What a message writer does with the stream; the channel flushes afterwards. */
    @FunctionalInterface
    public interface WriteAction {
        /** Writes one message (code and payload) to {@code out}. */
        void writeTo(DataOutputStream out) throws IOException;
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Object writeLock = new Object();
    private volatile long lastReceivedNanos = System.nanoTime();
    private volatile long lastSentNanos = System.nanoTime();
    private volatile long readStartedNanos = System.nanoTime();
    private volatile boolean reading;
    private volatile boolean closed;
    private Thread heartbeats;

    private ReplicationChannel(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        InputStream raw = new FilterInputStream(socket.getInputStream()) {
            @Override
            public int read() throws IOException {
                readStartedNanos = System.nanoTime();
                reading = true;
                try {
                    return super.read();
                } finally {
                    reading = false;
                    lastReceivedNanos = System.nanoTime();
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                readStartedNanos = System.nanoTime();
                reading = true;
                try {
                    return super.read(b, off, len);
                } finally {
                    reading = false;
                    lastReceivedNanos = System.nanoTime();
                }
            }
        };
        this.in = new DataInputStream(new BufferedInputStream(raw, BUFFER_BYTES));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), BUFFER_BYTES));
    }

    /**
     * Connects to {@code address}.
     *
     * @throws IOException when nobody listens there (the message names the address)
     */
    public static ReplicationChannel connect(ReplicationAddress address, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address.socketAddress(), timeoutMillis);
            return new ReplicationChannel(socket);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot connect to " + address + ": " + e.getMessage(), e);
        }
    }

    /** Waits for one peer on {@code server} and returns its connection. */
    public static ReplicationChannel accept(ServerSocket server) throws IOException {
        Socket socket = server.accept();
        try {
            return new ReplicationChannel(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Writes one message under the write lock and flushes it. */
    public void write(WriteAction action) throws IOException {
        synchronized (writeLock) {
            action.writeTo(out);
            out.flush();
            lastSentNanos = System.nanoTime();
        }
    }

    /** Sends a message without payload. */
    public void send(ColoMessage message) throws IOException {
        write(o -> o.writeInt(message.code));
    }

    /** Sends a message followed by one long (an epoch number, a status). */
    public void send(ColoMessage message, long value) throws IOException {
        write(o -> {
            o.writeInt(message.code);
            o.writeLong(value);
        });
    }

    /** Sends {@link ColoMessage#ERROR} with a one-line reason, ignoring failures (the peer may be gone). */
    public void sendError(String reason) {
        try {
            write(o -> {
                o.writeInt(ColoMessage.ERROR.code);
                writeString(o, reason);
            });
        } catch (IOException ignored) {
            // Best effort: the connection is being given up anyway.
        }
    }

    /** Writes a string as an int length and UTF-8 bytes. */
    public static void writeString(DataOutputStream o, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        o.writeInt(bytes.length);
        o.write(bytes);
    }

    /** Reads a string written by {@link #writeString}. */
    public String readString() throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw new ProtocolException("bad string length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Reads the next message code, skipping heartbeats. An {@link ColoMessage#ERROR} from the peer
     * becomes a {@link ProtocolException} carrying its reason.
     */
    public ColoMessage readMessage() throws IOException {
        while (true) {
            ColoMessage message = ColoMessage.of(in.readInt());
            if (message == ColoMessage.HEARTBEAT) {
                continue;
            }
            if (message == ColoMessage.ERROR) {
                throw new ProtocolException("the peer refused: " + readString());
            }
            return message;
        }
    }

    /** Reads the next message and fails unless it is {@code expected}. */
    public void expect(ColoMessage expected) throws IOException {
        ColoMessage message = readMessage();
        if (message != expected) {
            throw new ProtocolException("expected " + expected + ", got " + message);
        }
    }

    /** Reads {@code expected} followed by a long, and fails unless the long is {@code value}. */
    public void expect(ColoMessage expected, long value) throws IOException {
        expect(expected);
        long got = in.readLong();
        if (got != value) {
            throw new ProtocolException(expected + " for " + got + ", expected " + value);
        }
    }

    /** The payload stream, for the reader thread. */
    public DataInputStream in() {
        return in;
    }

    /** Nanoseconds since the peer last sent a byte. */
    public long nanosSinceLastReceived() {
        return System.nanoTime() - lastReceivedNanos;
    }

    /**
     * How long the reader has been waiting for the peer without a byte arriving: zero while the
     * reader is busy elsewhere (applying an epoch), since bytes may then wait unread in the socket.
     * Silence is the peer's only while this end is listening.
     */
    public long silentNanos() {
        if (!reading) {
            return 0;
        }
        return System.nanoTime() - Math.max(lastReceivedNanos, readStartedNanos);
    }

    /**
     * Counts now as a sign of life: for a reader that was busy with something else (building its
     * machine) and is about to start judging the peer's silence.
     */
    public void touch() {
        lastReceivedNanos = System.nanoTime();
    }

    /** Limits how long a read may block; 0 for forever. */
    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Whether {@code e} is a read that ran into {@link #setReadTimeout}. */
    public static boolean isTimeout(IOException e) {
        return e instanceof SocketTimeoutException;
    }

    /**
     * Starts a daemon thread that sends a heartbeat whenever nothing was sent for {@code intervalMillis}.
     * It stops when the channel closes or a send fails.
     */
    public synchronized void startHeartbeats(int intervalMillis) {
        if (heartbeats != null) {
            return;
        }
        heartbeats = new Thread(() -> {
            long intervalNanos = intervalMillis * 1_000_000L;
            try {
                while (!closed) {
                    long idle = System.nanoTime() - lastSentNanos;
                    if (idle >= intervalNanos) {
                        send(ColoMessage.HEARTBEAT);
                        idle = 0;
                    }
                    Thread.sleep(Math.max(1, (intervalNanos - idle) / 1_000_000L));
                }
            } catch (IOException | InterruptedException stopped) {
                // The connection is gone or closing: its owner sees that on its own reads and writes.
            }
        }, "twinstep-heartbeat");
        heartbeats.setDaemon(true);
        heartbeats.start();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** A description of the peer for messages. */
    public String peer() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    /** Closes the socket: a blocked reader or writer fails at once. */
    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
        Thread beat;
        synchronized (this) {
            beat = heartbeats;
        }
        if (beat != null) {
            beat.interrupt();
        }
    }
}
