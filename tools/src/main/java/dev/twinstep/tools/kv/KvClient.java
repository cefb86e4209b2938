package dev.twinstep.tools.kv;

import dev.twinstep.tools.kv.KvProtocol.Op;
import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A kvstore client with one client id: numbers its requests, waits for the matching reply and
 * resends the same datagram (same sequence number) when none arrives in time, so the service runs
 * each request exactly once. Not thread-safe: use one instance per thread.
 */
public final class KvClient implements Closeable {
    private final DatagramSocket socket;
    private final long clientId;
    private final int timeoutMillis;
    private final int attempts;
    private final ByteBuffer requestBuffer = ByteBuffer.allocate(KvProtocol.DATAGRAM_MAX);
    private final byte[] replyBytes = new byte[2048];
    private final DatagramPacket replyPacket = new DatagramPacket(replyBytes, replyBytes.length);
    private long seq;
    private long sent;
    private long retries;
    private long timeouts;
    private long lastLatencyNanos;

    /**
     * Connects a UDP socket to {@code target}.
     *
     * @param clientId      non-zero id the service keys its exactly-once table with
     * @param firstSeq      sequence number of the first request (later ones count up from it)
     * @param timeoutMillis how long to wait for each attempt's reply
     * @param attempts      sends per request before {@link KvTimeoutException}
     */
    public KvClient(InetSocketAddress target, long clientId, long firstSeq, int timeoutMillis, int attempts)
            throws IOException {
        if (clientId == 0 || firstSeq <= 0 || timeoutMillis <= 0 || attempts <= 0) {
            throw new IllegalArgumentException("client id, first seq, timeout and attempts must be positive/non-zero");
        }
        this.clientId = clientId;
        this.seq = firstSeq - 1;
        this.timeoutMillis = timeoutMillis;
        this.attempts = attempts;
        this.socket = new DatagramSocket(new InetSocketAddress(0));
        socket.connect(target);
        socket.setSoTimeout(timeoutMillis);
    }

    /** Stores {@code value} under {@code key}. */
    public KvReply put(String key, byte[] value) throws IOException {
        return execute(Op.PUT, key, value);
    }

    /** Reads {@code key}. */
    public KvReply get(String key) throws IOException {
        return execute(Op.GET, key, new byte[0]);
    }

    /** Adds {@code delta} to the counter {@code key} (a missing counter starts at 0). */
    public KvReply incr(String key, long delta) throws IOException {
        return execute(Op.INCR, key, KvProtocol.encodeLong(delta));
    }

    /** Deletes {@code key}. */
    public KvReply del(String key) throws IOException {
        return execute(Op.DEL, key, new byte[0]);
    }

    /** Sends a new request with the next sequence number and returns its reply. */
    public KvReply execute(Op op, String key, byte[] value) throws IOException {
        seq++;
        KvProtocol.encodeRequest(requestBuffer, op, clientId, seq, key.getBytes(StandardCharsets.UTF_8), value);
        return exchange();
    }

    /**
     * Sends the previous request again with its own sequence number, as a retry after a lost
     * reply would: the service must answer with the saved reply and not run it a second time.
     */
    public KvReply resendLast() throws IOException {
        if (requestBuffer.limit() == 0) {
            throw new IllegalStateException("no request sent yet");
        }
        requestBuffer.rewind();
        return exchange();
    }

    private KvReply exchange() throws IOException {
        long start = System.nanoTime();
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                retries++;
            }
            try {
                socket.send(new DatagramPacket(requestBuffer.array(), requestBuffer.limit()));
            } catch (PortUnreachableException e) {
                // An earlier datagram found nobody listening (reported late by ICMP): this one may
                // still go out, so count it as sent and let the attempt time out if it was lost.
            }
            sent++;
            KvReply reply = awaitReply(System.nanoTime() + timeoutMillis * 1_000_000L);
            if (reply != null) {
                lastLatencyNanos = System.nanoTime() - start;
                return reply;
            }
        }
        timeouts++;
        throw new KvTimeoutException("no reply from the service to " + Op.of(requestBuffer.get(3)) + " seq " + seq
                + " after " + attempts + " attempts of " + timeoutMillis + " ms");
    }

    /* Waits until `deadline` for the reply to the current seq; late replies to older requests are skipped. */
    private KvReply awaitReply(long deadline) throws IOException {
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                replyPacket.setLength(replyBytes.length);
                socket.receive(replyPacket);
            } catch (SocketTimeoutException e) {
                return null;
            } catch (PortUnreachableException e) {
                // Nobody listens on the port this moment (a service being taken over or migrated):
                // for a client that is a lost datagram, so wait out the attempt and send again.
                sleepUntil(deadline);
                return null;
            }
            KvReply reply;
            try {
                reply = KvProtocol.decodeReply(replyBytes, replyPacket.getLength());
            } catch (IllegalArgumentException malformed) {
                throw new KvProtocolException("malformed reply: " + malformed.getMessage());
            }
            if (reply.client() == clientId && reply.seq() == seq) {
                return reply;
            }
        }
    }

    private static void sleepUntil(long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left > 0) {
            try {
                Thread.sleep(left / 1_000_000L, (int) (left % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for a reply");
            }
        }
    }

    /** The client id.
    public long clientId() {
        return clientId;
    }

    /** Sequence number of the last request. */
    public long lastSeq() {
        return seq;
    }

    /** Datagrams sent, first attempts and retries together. */
    public long sent() {
        return sent;
    }

    /** Datagrams that were retries. */
    public long retries() {
        return retries;
    }

    /** Requests given up after every attempt timed out. */
    public long timeouts() {
        return timeouts;
    }

    /** Time from the first send of the last answered request to its reply. */
    public long lastLatencyNanos() {
        return lastLatencyNanos;
    }

    @Override
    public void close() {
        socket.close();
    }

    /** No reply arrived after every attempt: the request may or may not have been executed. */
    public static final class KvTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        KvTimeoutException(String message) {
            super(message);
        }
    }

    /** The service answered with a datagram that is not a valid reply. */
    public static final class KvProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        KvProtocolException(String message) {
            super(message);
        }
    }
}
