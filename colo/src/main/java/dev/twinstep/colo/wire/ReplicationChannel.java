package dev.twinstep.colo.wire;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One replication connection: a TCP socket with TCP_NODELAY (a small acknowledgement must never wait
 * for a delayed ACK), message codes from {@link ColoMessage}, and liveness.
 *
 * <p>Writers: any thread, one message at a time under the write lock ({@link #write}), so a heartbeat
 * never lands inside an epoch. Reader: one thread. Every byte received counts as a sign of life, so a
 * peer busy sending a large epoch is never taken for dead; {@link #readMessage()} skips heartbeats.
 *
 * <p>Bulk bytes (a staged epoch, megabytes per checkpoint) bypass the message streams: inside a write
 * action {@link #writeDirect} hands an off-heap buffer to the socket channel, and
 * {@link Input#readFully(ByteBuffer)} lets the kernel copy straight into off-heap staging, so neither
 * end copies an epoch through heap arrays. That needs a channel-backed socket: {@link #connect} always
 * makes one, {@link #accept} does when the listener came from {@link #listen}. On a plain socket (or
 * while a read timeout is set, which channel reads would ignore) the same calls fall back to the streams.
 */
public final class ReplicationChannel implements AutoCloseable {
    /** The protocol version this build speaks; the handshake refuses any other. */
    public static final int PROTOCOL_VERSION = 1;
    /** Buffers of the message streams: codes, headers and small payloads; larger writes and reads bypass them. */
    private static final int OUTPUT_BUFFER_BYTES = 1 << 16;
    private static final int INPUT_BUFFER_BYTES = 1 << 16;
    /**
     * Bulk writes up to this size join the message stream's buffer instead: copying a few kilobytes
     * costs less than a system call and a TCP segment of their own (a small epoch goes out whole).
     */
    private static final int SMALL_BULK_BYTES = 1 << 14;
    /** Heap chunk of the fallback bulk path (plain sockets, timed reads). */
    private static final int BULK_CHUNK_BYTES = 1 << 16;
    /** Strings on the wire (reasons, descriptions) are short; a larger length means a broken stream. */
    private static final int MAX_STRING_BYTES = 1 << 16;

    /** What a message writer does with the stream; the channel flushes afterwards. */
    @FunctionalInterface
    public interface WriteAction {
        /** Writes one message (code and payload) to {@code out}. */
        void writeTo(DataOutputStream out) throws IOException;
    }

    /**
     * The reader's stream: big-endian values and byte arrays as any {@link DataInputStream}, plus bulk
     * reads into (direct) byte buffers.
     */
    public static final class Input extends DataInputStream {
        private final Source source;

        private Input(Source source) {
            super(source);
            this.source = source;
        }

        /**
         * Reads exactly {@code into.remaining()} bytes into {@code into}, which advances to its limit.
         * Bytes the stream already buffered come first, so stream reads and bulk reads may alternate.
         *
         * @throws EOFException when the peer closes the connection first
         */
        public void readFully(ByteBuffer into) throws IOException {
            source.readFully(into);
        }
    }

    private final Socket socket;
    /** The socket's channel, or null for a socket accepted by a plain {@link ServerSocket}. */
    private final SocketChannel channel;
    private final String peer;
    private final Input in;
    private final OutputStream socketOut;
    private final DataOutputStream out;
    private final Object writeLock = new Object();
    /** Heap chunk for {@link #writeDirect} of small buffers or without a channel; guarded by the write lock. */
    private byte[] bulkOut;
    private volatile int readTimeoutMillis;
    private volatile long lastReceivedNanos = System.nanoTime();
    private volatile long lastSentNanos = System.nanoTime();
    private volatile long readStartedNanos = System.nanoTime();
    private volatile boolean reading;
    private volatile boolean closed;
    private Thread heartbeats;
    private volatile boolean heartbeatsStopped;

    private ReplicationChannel(Socket socket) throws IOException {
        this.socket = socket;
        this.channel = socket.getChannel();
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        this.peer = String.valueOf(socket.getRemoteSocketAddress());
        // The socket's own streams honour SO_TIMEOUT, also for a channel-backed socket, where reads
        // on the channel itself would block past it.
        this.in = new Input(new Source(socket.getInputStream()));
        this.socketOut = socket.getOutputStream();
        this.out = new DataOutputStream(new BufferedOutputStream(socketOut, OUTPUT_BUFFER_BYTES));
    }

    /**
     * Connects to {@code address}.
     *
     * @throws IOException when nobody listens there (the message names the address)
     */
    public static ReplicationChannel connect(ReplicationAddress address, int timeoutMillis) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.socket().connect(address.socketAddress(), timeoutMillis);
            return new ReplicationChannel(channel.socket());
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot connect to " + address + ": " + e.getMessage(), e);
        }
    }

    /**
     * A listening socket bound to {@code address} (SO_REUSEADDR) whose accepted connections are
     * channel-backed, so that {@link #accept} gives them the zero-copy bulk path.
     */
    public static ServerSocket listen(SocketAddress address, int backlog) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, backlog);
            return server.socket();
        } catch (IOException e) {
            server.close();
            throw e;
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

    /** Whether bulk bytes go between off-heap memory and the socket without heap copies. */
    public boolean isZeroCopy() {
        return channel != null;
    }

    /** Writes one message under the write lock and flushes it. */
    public void write(WriteAction action) throws IOException {
        synchronized (writeLock) {
            try {
                action.writeTo(out);
                out.flush();
            } catch (ClosedChannelException e) {
                throw closedError(e);
            }
            lastSentNanos = System.nanoTime();
        }
    }

    /**
     * Inside a {@link #write} action only: puts the remaining bytes of {@code from} on the wire after
     * what the action wrote to its stream so far; {@code from} advances to its limit. A large direct
     * buffer goes from its memory to the socket without any copy on the heap.
     *
     * @throws IllegalStateException outside a write action (the bytes could land inside another message)
     */
    public void writeDirect(ByteBuffer from) throws IOException {
        if (!Thread.holdsLock(writeLock)) {
            throw new IllegalStateException("writeDirect outside a write action");
        }
        if (bulkOut == null) {
            bulkOut = new byte[BULK_CHUNK_BYTES];
        }
        if (from.remaining() <= SMALL_BULK_BYTES) {
            int n = from.remaining();
            from.get(bulkOut, 0, n);
            out.write(bulkOut, 0, n);
            return;
        }
        out.flush();
        if (channel != null) {
            while (from.hasRemaining()) {
                channel.write(from);
            }
            return;
        }
        while (from.hasRemaining()) {
            int n = Math.min(bulkOut.length, from.remaining());
            from.get(bulkOut, 0, n);
            socketOut.write(bulkOut, 0, n);
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
    public Input in() {
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
        readTimeoutMillis = millis;
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
                        write(o -> {
                            if (!heartbeatsStopped) { // checked under the write lock: see stopHeartbeats()
                                o.writeInt(ColoMessage.HEARTBEAT.code);
                            }
                        });
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

    /**
     * No heartbeat is written after this returns (fault injection: a sender that stops in the middle
     * of a message must not have heartbeats land inside it).
     */
    public void stopHeartbeats() {
        heartbeatsStopped = true;
        synchronized (writeLock) {
            // A heartbeat being written now finishes before this returns; later ones see the flag.
        }
    }

    /**
     * Ends this side's sending after what was written so far (a FIN, which the peer reads after the
     * last message), so that a final message — a refusal, a guest shutdown — cannot be lost to the
     * reset a close with unread input would send. Any thread; the reader then drains to the peer's
     * close with {@link #drainUntilClosed(int)}.
     */
    public void shutdownOutput() {
        stopHeartbeats();
        try {
            socket.shutdownOutput();
        } catch (IOException ignored) {
            // The connection is gone already.
        }
    }

    /**
     * The reader's side of a graceful close: reads and drops whatever the peer still sends until it
     * closes, or {@code millis} pass, so that the close that follows sends no reset.
     */
    public void drainUntilClosed(int millis) {
        try {
            setReadTimeout(Math.max(1, millis));
            long deadline = System.nanoTime() + millis * 1_000_000L;
            byte[] sink = new byte[4096];
            while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                // Heartbeats and late replies: nothing to act on any more.
            }
        } catch (IOException ignored) {
            // Timed out or reset: close anyway.
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** A description of the peer for messages. */
    public String peer() {
        return peer;
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

    /**
     * A channel reports a close as {@link ClosedChannelException}, often without a message; callers
     * log the message, so say what happened, as a plain socket would.
     */
    private static SocketException closedError(ClosedChannelException e) {
        SocketException closedSocket = new SocketException("Socket closed");
        closedSocket.initCause(e);
        return closedSocket;
    }

    /**
     * The reader's side of the socket: a small buffer for message codes and headers, reads of a
     * buffer's size or more straight into the caller's memory, and liveness around every wait.
     */
    private final class Source extends InputStream {
        private final InputStream socketIn;
        private final byte[] buffer = new byte[INPUT_BUFFER_BYTES];
        private int position;
        private int limit;
        /** Heap chunk of the fallback bulk path. */
        private byte[] bulkIn;

        Source(InputStream socketIn) {
            this.socketIn = socketIn;
        }

        @Override
        public int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xFF;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, into.length);
            if (length == 0) {
                return 0;
            }
            if (position == limit) {
                if (length >= buffer.length) {
                    return receive(into, offset, length);
                }
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(length, limit - position);
            System.arraycopy(buffer, position, into, offset, n);
            position += n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return limit - position;
        }

        void readFully(ByteBuffer into) throws IOException {
            int buffered = Math.min(limit - position, into.remaining());
            into.put(buffer, position, buffered);
            position += buffered;
            while (into.hasRemaining()) {
                int n;
                if (channel != null && readTimeoutMillis == 0) {
                    n = receive(into);
                } else {
                    // A timed read must go through the socket's stream, which enforces the timeout.
                    if (bulkIn == null) {
                        bulkIn = new byte[BULK_CHUNK_BYTES];
                    }
                    n = receive(bulkIn, 0, Math.min(bulkIn.length, into.remaining()));
                    if (n > 0) {
                        into.put(bulkIn, 0, n);
                    }
                }
                if (n < 0) {
                    throw new EOFException("the peer closed the connection with " + into.remaining()
                            + " bytes of a message still to come");
                }
            }
        }

        private boolean fill() throws IOException {
            int n = receive(buffer, 0, buffer.length);
            if (n < 0) {
                return false;
            }
            position = 0;
            limit = n;
            return true;
        }

        private int receive(byte[] into, int offset, int length) throws IOException {
            readStartedNanos = System.nanoTime();
            reading = true;
            try {
                return socketIn.read(into, offset, length);
            } catch (ClosedChannelException e) {
                throw closedError(e);
            } finally {
                reading = false;
                lastReceivedNanos = System.nanoTime();
            }
        }

        private int receive(ByteBuffer into) throws IOException {
            readStartedNanos = System.nanoTime();
            reading = true;
            try {
                return channel.read(into);
            } catch (ClosedChannelException e) {
                throw closedError(e);
            } finally {
                reading = false;
                lastReceivedNanos = System.nanoTime();
            }
        }
    }
}
