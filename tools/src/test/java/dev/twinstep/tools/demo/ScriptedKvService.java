package dev.twinstep.tools.demo;

import dev.twinstep.tools.kv.KvProtocol;
import dev.twinstep.tools.kv.KvProtocol.Op;
import dev.twinstep.tools.kv.KvProtocol.Status;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A kvstore stand-in for checking the checker: the guest's protocol and exactly-once table on a
 * loopback UDP port, with switches that make it misbehave the ways a broken failover would.
 */
final class ScriptedKvService implements AutoCloseable {
    private final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    private final Map<String, byte[]> values = new HashMap<>();
    private final Map<Long, Long> lastSeq = new HashMap<>();
    private final Map<Long, byte[]> savedReply = new HashMap<>();
    private final Thread thread = new Thread(this::serve, "scripted-kv");
    private int requests;
    /** Drop the reply of every Nth new request (0: never), so the client resends. */
    volatile int dropEveryNth;
    /** Execute a resend again instead of answering with the saved reply. */
    volatile boolean executeResends;

    ScriptedKvService() throws SocketException {
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    /** Forgets every key, as a service restored from a checkpoint older than its replies would. */
    synchronized void forgetEverything() {
        values.clear();
    }

    private void serve() {
        byte[] buffer = new byte[KvProtocol.DATAGRAM_MAX];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            while (true) {
                packet.setLength(buffer.length);
                socket.receive(packet);
                byte[] reply = handle(ByteBuffer.wrap(buffer, 0, packet.getLength()));
                if (reply != null) {
                    socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                }
            }
        } catch (IOException closed) {
            // close() ends the service.
        }
    }

    private synchronized byte[] handle(ByteBuffer in) {
        in.getShort();
        in.get();
        Op op = Op.of(in.get());
        long client = in.getLong();
        long seq = in.getLong();
        int keyLength = in.get() & 0xFF;
        in.get();
        byte[] key = new byte[keyLength];
        byte[] value = new byte[in.getShort() & 0xFFFF];
        in.get(key).get(value);
        if (!executeResends && lastSeq.getOrDefault(client, 0L) == seq) {
            return savedReply.get(client);
        }
        String name = new String(key, StandardCharsets.US_ASCII);
        Status status = Status.OK;
        byte[] answer = new byte[0];
        switch (op) {
            case PUT -> values.put(name, value);
            case INCR -> {
                byte[] old = values.get(name);
                answer = KvProtocol.encodeLong((old == null ? 0 : KvProtocol.decodeLong(old)) + 1);
                values.put(name, answer);
            }
            case GET -> {
                answer = values.getOrDefault(name, new byte[0]);
                status = values.containsKey(name) ? Status.OK : Status.NOT_FOUND;
            }
            default -> status = values.remove(name) != null ? Status.OK : Status.NOT_FOUND;
        }
        byte[] reply = ByteBuffer.allocate(KvProtocol.HEADER_LENGTH + answer.length).putShort((short) KvProtocol.MAGIC)
                .put((byte) KvProtocol.VERSION).put((byte) op.code()).putLong(client).putLong(seq)
                .put((byte) status.code()).put((byte) 0).putShort((short) answer.length).put(answer).array();
        lastSeq.put(client, seq);
        savedReply.put(client, reply);
        requests++;
        return dropEveryNth > 0 && requests % dropEveryNth == 0 ? null : reply;
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(1000);
    }
}
