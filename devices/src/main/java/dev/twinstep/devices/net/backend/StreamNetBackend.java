package dev.twinstep.devices.net.backend;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.NetStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * {@code --netdev stream}: Ethernet frames over a TCP or Unix stream socket, each preceded by its
 * length as a 4-byte big-endian number, the framing of QEMU's {@code -netdev stream} (and of
 * {@code -netdev socket}), so a Twinstep NIC and a QEMU NIC can share a wire.
 *
 * <p>A reader thread parses frames and offers them to the sink; a writer thread sends the frames
 * the guest transmitted. A frame of length 0, one longer than the maximum, or one cut short by the
 * end of the stream is counted as bad and dropped; frames sent while no peer is connected are
 * counted as dropped. When the peer goes away, a server waits for the next connection and a client
 * connects again every {@code reconnectMillis}, so the machine keeps running either way.
 */
public final class StreamNetBackend implements NetBackend {
    /** Largest frame the 4-byte length may announce by default (QEMU accepts frames up to 64 KiB). */
    public static final int DEFAULT_MAX_FRAME_BYTES = 65535;
    /** How long a client waits between attempts to reach a peer that went away. */
    public static final long DEFAULT_RECONNECT_MILLIS = 1000;
    private static final int LENGTH_BYTES = 4;
    private static final int TRANSMIT_QUEUE_FRAMES = 256;
    private static final long WRITER_POLL_MILLIS = 100;

    private final StreamEndpoint endpoint;
    private final int maxFrameBytes;
    private final long reconnectMillis;
    private final NetStats stats = new NetStats();
    private final TransmitQueue transmitQueue = new TransmitQueue(TRANSMIT_QUEUE_FRAMES);
    private final Object connectedLock = new Object();

    private FrameSink sink;
    private ServerSocketChannel listener;
    private volatile SocketChannel connection;
    private volatile boolean closed;
    private Thread reader;
    private Thread writer;

    /** A back end with the default frame limit and reconnect delay. */
    public StreamNetBackend(StreamEndpoint endpoint) {
        this(endpoint, DEFAULT_MAX_FRAME_BYTES, DEFAULT_RECONNECT_MILLIS);
    }

    /**
     * @param maxFrameBytes   longer frames are counted as bad and skipped
     * @param reconnectMillis a client's delay between connection attempts after the peer went away
     */
    public StreamNetBackend(StreamEndpoint endpoint, int maxFrameBytes, long reconnectMillis) {
        if (maxFrameBytes < 1) {
            throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
        }
        this.endpoint = endpoint;
        this.maxFrameBytes = maxFrameBytes;
        this.reconnectMillis = reconnectMillis;
    }

    @Override
    public void attach(FrameSink sink) {
        this.sink = sink;
    }

    /**
     * A server binds its address (the peer may connect later); a client connects once now, so an
     * address with nobody listening is reported to the user before the guest starts.
     */
    @Override
    public void start() throws IOException {
        if (sink == null) {
            throw new IllegalStateException("attach a FrameSink before start()");
        }
        if (endpoint.server()) {
            listener = openListener();
        } else {
            connection = connect();
        }
        reader = new Thread(this::readLoop, "twinstep-net-stream-reader");
        writer = new Thread(this::writeLoop, "twinstep-net-stream-writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    /** @return the TCP port a server listens on (useful with port 0), or -1 */
    public int localPort() {
        ServerSocketChannel server = listener;
        if (server == null) {
            return -1;
        }
        try {
            return server.getLocalAddress() instanceof InetSocketAddress
                    ? ((InetSocketAddress) server.getLocalAddress()).getPort() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Waits until a peer is connected. @return true if one is */
    public boolean awaitPeer(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (connectedLock) {
            while (connection == null && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(connectedLock, left);
            }
            return connection != null;
        }
    }

    @Override
    public void transmit(byte[] frame, int offset, int length) {
        stats.framesOut.incrementAndGet();
        stats.bytesOut.addAndGet(length);
        if (connection == null || !transmitQueue.offer(frame, offset, length)) {
            stats.framesDropped.incrementAndGet();
        }
    }

    @Override
    public NetStats stats() {
        return stats;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        closeQuietly(connection);
        for (Thread thread : new Thread[] {reader, writer}) {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (endpoint.server() && endpoint.address() instanceof UnixDomainSocketAddress) {
            try {
                Files.deleteIfExists(((UnixDomainSocketAddress) endpoint.address()).getPath());
            } catch (IOException e) {
                // A stale socket file is harmless: the next server reports it when it binds.
            }
        }
    }

    private ServerSocketChannel openListener() throws IOException {
        ServerSocketChannel server = endpoint.address() instanceof UnixDomainSocketAddress
                ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
        try {
            server.bind(endpoint.address(), 1);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private SocketChannel connect() throws IOException {
        SocketChannel channel = endpoint.address() instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            channel.connect(endpoint.address());
            if (endpoint.address() instanceof InetSocketAddress) {
                channel.socket().setTcpNoDelay(true);
            }
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocate(LENGTH_BYTES);
        ByteBuffer body = ByteBuffer.allocate(maxFrameBytes);
        while (!closed) {
            SocketChannel channel = connection;
            if (channel == null) {
                channel = nextPeer();
                if (channel == null) {
                    continue;
                }
                synchronized (connectedLock) {
                    connection = channel;
                    connectedLock.notifyAll();
                }
            } else {
                synchronized (connectedLock) {
                    connectedLock.notifyAll();
                }
            }
            readFrames(channel, header, body);
            synchronized (connectedLock) {
                connection = null;
            }
            closeQuietly(channel);
            stats.framesDropped.addAndGet(transmitQueue.clear());
        }
    }

    /** @return the next peer, or null if none came (closing, or a failed attempt) */
    private SocketChannel nextPeer() {
        try {
            if (endpoint.server()) {
                SocketChannel accepted = listener.accept();
                if (accepted.getRemoteAddress() instanceof InetSocketAddress) {
                    accepted.socket().setTcpNoDelay(true);
                }
                return accepted;
            }
            Thread.sleep(reconnectMillis);
            return closed ? null : connect();
        } catch (IOException e) {
            if (endpoint.server() && !closed && !listener.isOpen()) {
                closed = true;
            }
            return null;
        } catch (InterruptedException e) {
            return null;
        }
    }

    /** Reads frames until the stream ends or fails; only the stream's end makes a partial frame bad. */
    private void readFrames(SocketChannel channel, ByteBuffer header, ByteBuffer body) {
        try {
            while (!closed) {
                header.clear();
                int got = readUpTo(channel, header, LENGTH_BYTES);
                if (got < LENGTH_BYTES) {
                    if (got > 0) {
                        stats.framesBad.incrementAndGet();
                    }
                    return;
                }
                long length = header.getInt(0) & 0xFFFF_FFFFL;
                if (length == 0) {
                    stats.framesBad.incrementAndGet();
                    continue;
                }
                if (length > maxFrameBytes) {
                    stats.framesBad.incrementAndGet();
                    if (!skip(channel, body, length)) {
                        return;
                    }
                    continue;
                }
                body.clear();
                if (readUpTo(channel, body, (int) length) < length) {
                    stats.framesBad.incrementAndGet();
                    return;
                }
                deliver(body.array(), (int) length);
            }
        } catch (IOException e) {
            // The peer is gone (reset, or closed by close()): wait for the next one.
        }
    }

    private void deliver(byte[] frame, int length) {
        if (sink.offer(frame, 0, length)) { // a refused frame is counted by the sink, as its contract says
            stats.framesIn.incrementAndGet();
            stats.bytesIn.addAndGet(length);
        }
    }

    /** @return how many bytes arrived before the stream ended (== wanted unless it ended) */
    private static int readUpTo(SocketChannel channel, ByteBuffer buffer, int wanted) throws IOException {
        buffer.limit(wanted);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                break;
            }
        }
        return buffer.position();
    }

    /** Reads and discards an oversized frame so the next length prefix is found. */
    private static boolean skip(SocketChannel channel, ByteBuffer scratch, long length) throws IOException {
        long left = length;
        while (left > 0) {
            scratch.clear();
            int chunk = (int) Math.min(left, scratch.capacity());
            if (readUpTo(channel, scratch, chunk) < chunk) {
                return false;
            }
            left -= chunk;
        }
        return true;
    }

    private void writeLoop() {
        ByteBuffer out = ByteBuffer.allocateDirect(LENGTH_BYTES + TransmitQueue.INITIAL_SLOT_BYTES);
        while (!closed) {
            TransmitQueue.Slot slot;
            try {
                slot = transmitQueue.poll(WRITER_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (slot == null) {
                continue;
            }
            SocketChannel channel = connection;
            if (channel == null) {
                stats.framesDropped.incrementAndGet();
            } else {
                if (out.capacity() < LENGTH_BYTES + slot.length()) {
                    out = ByteBuffer.allocateDirect(LENGTH_BYTES + slot.length());
                }
                out.clear();
                out.putInt(slot.length()).put(slot.bytes(), 0, slot.length()).flip();
                try {
                    while (out.hasRemaining()) {
                        channel.write(out);
                    }
                } catch (ClosedChannelException e) {
                    stats.framesDropped.incrementAndGet();
                } catch (IOException e) {
                    stats.framesDropped.incrementAndGet();
                    closeQuietly(channel); // the reader notices and waits for the next peer
                }
            }
            transmitQueue.recycle(slot);
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (IOException e) {
                // Closing after a failure: nothing more to report.
            }
        }
    }
}
