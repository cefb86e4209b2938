package dev.twinstep.colo.replication;

import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ReplicationAddress;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between a primary and its secondary that reads the secondary's replies as it forwards
 * them, and notes the highest vmstate-received epoch before the primary can see it. {@link #cut()}
 * drops every connection at once, as a dead primary host or a broken network would: the secondary
 * sees the connection end without any goodbye.
 */
final class WatchingRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final ReplicationAddress secondary;
    private final AtomicLong receivedThrough = new AtomicLong(-1);
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;
    private volatile boolean silenced;
    private volatile long holdRepliesFromEpoch = Long.MAX_VALUE;
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch unheld = new CountDownLatch(1);

    WatchingRelay(ReplicationAddress secondary) throws IOException {
        this.secondary = secondary;
        this.listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "test-relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Where the primary should connect. */
    ReplicationAddress address() {
        return new ReplicationAddress("127.0.0.1", listener.getLocalPort());
    }

    /** The highest epoch the secondary reported as received, as forwarded to the primary so far. */
    long receivedThrough() {
        return receivedThrough.get();
    }

    /**
     * From epoch {@code epoch} on, keeps the secondary's checkpoint-reply (and everything after it)
     * from the primary until {@link #unhold()}: the primary then waits inside a checkpoint
     * transaction, between its checkpoint-request and the epoch.
     */
    void holdRepliesFrom(long epoch) {
        holdRepliesFromEpoch = epoch;
    }

    /** Waits until a reply is being held; false on timeout. */
    boolean awaitHolding() throws InterruptedException {
        return holding.await(30, TimeUnit.SECONDS);
    }

    /** Lets held replies through. */
    void unhold() {
        unheld.countDown();
    }

    private void acceptLoop() {
        while (!cut) {
            try {
                Socket fromPrimary = listener.accept();
                Socket toSecondary = new Socket(secondary.host(), secondary.port());
                fromPrimary.setTcpNoDelay(true);
                toSecondary.setTcpNoDelay(true);
                sockets.add(fromPrimary);
                sockets.add(toSecondary);
                pump("test-relay-to-secondary", () -> copy(fromPrimary.getInputStream(), toSecondary.getOutputStream()));
                pump("test-relay-to-primary", () -> watchReplies(toSecondary.getInputStream(), fromPrimary.getOutputStream()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private interface Pump {
        void run() throws IOException;
    }

    private void pump(String name, Pump pump) {
        Thread thread = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException ended) {
                // One side went away: the other learns it from its own socket.
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            if (!silenced) {
                out.write(buffer, 0, n);
            }
        }
        out.close();
    }

    /**
     * From now on the primary's bytes are read and dropped: the secondary hears nothing, not even
     * heartbeats, while neither connection closes (a primary host that hangs, or a one-way partition).
     */
    void silencePrimary() {
        silenced = true;
    }

    /** Forwards the secondary's messages one by one, noting vmstate-received before forwarding it. */
    private void watchReplies(InputStream raw, OutputStream rawOut) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(rawOut));
        while (true) {
            int code = in.readInt();
            out.writeInt(code);
            ColoMessage message = ColoMessage.of(code);
            switch (message) {
                case HEARTBEAT, CHECKPOINT_READY, FAILOVER -> { }
                case CHECKPOINT_REPLY -> {
                    long epoch = in.readLong();
                    if (epoch >= holdRepliesFromEpoch) {
                        holding.countDown();
                        awaitUnhold();
                    }
                    out.writeLong(epoch);
                }
                case VMSTATE_LOADED -> out.writeLong(in.readLong());
                case VMSTATE_RECEIVED -> {
                    long epoch = in.readLong();
                    receivedThrough.accumulateAndGet(epoch, Math::max);
                    out.writeLong(epoch);
                }
                case HELLO -> {
                    out.writeInt(in.readInt());
                    for (int i = 0; i < 3; i++) {
                        copyString(in, out);
                    }
                }
                case ERROR -> copyString(in, out);
                default -> throw new IOException("the relay does not expect " + message + " from a secondary");
            }
            out.flush();
        }
    }

    private void awaitUnhold() throws IOException {
        try {
            if (!unheld.await(60, TimeUnit.SECONDS)) {
                throw new IOException("the relay held a reply for a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while holding a reply", e);
        }
    }

    private static void copyString(DataInputStream in, DataOutputStream out) throws IOException {
        int length = in.readInt();
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        out.writeInt(length);
        out.write(bytes);
    }

    /** Drops the listener and every relayed connection, abruptly. */
    void cut() {
        cut = true;
        unheld.countDown();
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0); // a reset, not an orderly end
                socket.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
        }
    }

    @Override
    public void close() {
        cut();
    }
}
