package dev.twinstep.colo.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One replication connection over real loopback TCP: socket options, message framing, liveness and refusals. */
class ReplicationChannelTest {
    private final ChannelPair pair;

    ReplicationChannelTest() throws IOException {
        pair = ChannelPair.open();
    }

    @AfterEach
    void closeChannels() {
        pair.close();
    }

    /** The channel keeps its socket private; the invariant is about that very socket, so look at it. */
    private static Socket socketOf(ReplicationChannel channel) throws ReflectiveOperationException {
        Field field = ReplicationChannel.class.getDeclaredField("socket");
        field.setAccessible(true);
        return (Socket) field.get(channel);
    }

    @Test
    void shouldSetTcpNoDelayOnBothTheConnectingAndTheAcceptingEnd() throws Exception {
        assertTrue(socketOf(pair.source).getTcpNoDelay(), "connecting end");
        assertTrue(socketOf(pair.target).getTcpNoDelay(), "accepting end");
    }

    @Test
    void shouldSkipHeartbeatsWhenReadingTheNextMessage() throws IOException {
        pair.source.send(ColoMessage.HEARTBEAT);
        pair.source.send(ColoMessage.HEARTBEAT);
        pair.source.send(ColoMessage.CHECKPOINT_REQUEST, 42);
        pair.source.send(ColoMessage.HEARTBEAT);
        pair.source.send(ColoMessage.VMSTATE_LOADED, 43);

        assertEquals(ColoMessage.CHECKPOINT_REQUEST, pair.target.readMessage());
        assertEquals(42, pair.target.in().readLong());
        pair.target.expect(ColoMessage.VMSTATE_LOADED, 43);
    }

    @Test
    void shouldKeepThePeerAliveWithHeartbeatsWhileNoMessageIsSent() throws Exception {
        int heartbeatMillis = 5;
        pair.source.startHeartbeats(heartbeatMillis);
        CompletableFuture<ColoMessage> reader = Background.call("reader", pair.target::readMessage);

        long longestSilence = longestSilenceOver(pair.target, 300);
        pair.source.send(ColoMessage.CHECKPOINT_READY);

        assertEquals(ColoMessage.CHECKPOINT_READY, reader.get(5, TimeUnit.SECONDS), "heartbeats were skipped");
        assertTrue(longestSilence < 150_000_000L, "silence of " + longestSilence / 1_000_000 + " ms with "
                + heartbeatMillis + " ms heartbeats");
    }

    @Test
    void shouldSeeSilenceGrowWhenThePeerSendsNoHeartbeats() throws Exception {
        CompletableFuture<ColoMessage> reader = Background.call("reader", pair.target::readMessage);

        long longestSilence = longestSilenceOver(pair.target, 200);
        pair.source.send(ColoMessage.CHECKPOINT_READY);

        assertEquals(ColoMessage.CHECKPOINT_READY, reader.get(5, TimeUnit.SECONDS));
        assertTrue(longestSilence >= 200_000_000L, "silence of " + longestSilence / 1_000_000 + " ms");
    }

    @Test
    void shouldCountEveryByteAsASignOfLifeEvenInTheMiddleOfAMessage() throws Exception {
        int payloadBytes = 30;
        CompletableFuture<byte[]> reader = Background.call("reader", () -> {
            pair.target.expect(ColoMessage.RAM_BATCH);
            byte[] payload = new byte[payloadBytes];
            pair.target.in().readFully(payload);
            return payload;
        });
        pair.source.write(out -> out.writeInt(ColoMessage.RAM_BATCH.code));
        long longestSilence = 0;
        for (int i = 0; i < payloadBytes; i++) {
            int value = i;
            pair.source.write(out -> out.write(value));
            Thread.sleep(10);
            longestSilence = Math.max(longestSilence, pair.target.nanosSinceLastReceived());
        }

        assertEquals(payloadBytes - 1, reader.get(5, TimeUnit.SECONDS)[payloadBytes - 1]);
        assertTrue(longestSilence < 150_000_000L, "a message trickling in byte by byte looked silent for "
                + longestSilence / 1_000_000 + " ms");
    }

    @Test
    void shouldCountTouchAsASignOfLife() throws InterruptedException {
        Thread.sleep(50);
        long before = pair.target.nanosSinceLastReceived();
        pair.target.touch();

        assertTrue(before >= 50_000_000L, "silent before the touch");
        assertTrue(pair.target.nanosSinceLastReceived() < before);
    }

    /** Polls the silence of {@code channel} for {@code millis} and returns the longest seen, in ns. */
    private static long longestSilenceOver(ReplicationChannel channel, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        long longest = 0;
        while (System.nanoTime() < end) {
            longest = Math.max(longest, channel.nanosSinceLastReceived());
            Thread.sleep(2);
        }
        return Math.max(longest, channel.nanosSinceLastReceived());
    }

    @Test
    void shouldTurnAnErrorFromThePeerIntoAProtocolExceptionWithItsReason() {
        pair.source.sendError("the machines differ: 64 MiB here");

        ProtocolException refusal = assertThrows(ProtocolException.class, pair.target::readMessage);
        assertTrue(refusal.getMessage().contains("the machines differ: 64 MiB here"), refusal.getMessage());
    }

    @Test
    void shouldReportEndOfStreamWhenThePeerClosed() {
        pair.source.close();

        assertThrows(EOFException.class, pair.target::readMessage);
    }

    @Test
    void shouldFailABlockedReaderAtOnceWhenClosedLocally() throws Exception {
        CompletableFuture<ColoMessage> reader = Background.call("reader", pair.target::readMessage);
        pair.target.close();

        ExecutionException failure = assertThrows(ExecutionException.class, () -> reader.get(5, TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof IOException, String.valueOf(failure));
        assertTrue(pair.target.isClosed());
    }

    @Test
    void shouldRefuseAnUnexpectedMessageNamingBoth() throws IOException {
        pair.source.send(ColoMessage.VMSTATE_LOADED, 7);

        ProtocolException refusal = assertThrows(ProtocolException.class,
                () -> pair.target.expect(ColoMessage.VMSTATE_RECEIVED, 7));
        assertTrue(refusal.getMessage().contains("VMSTATE_RECEIVED") && refusal.getMessage().contains("VMSTATE_LOADED"),
                refusal.getMessage());
    }

    @Test
    void shouldRefuseAnAcknowledgementOfAnotherEpoch() throws IOException {
        pair.source.send(ColoMessage.VMSTATE_RECEIVED, 6);

        ProtocolException refusal = assertThrows(ProtocolException.class,
                () -> pair.target.expect(ColoMessage.VMSTATE_RECEIVED, 7));
        assertTrue(refusal.getMessage().contains("6") && refusal.getMessage().contains("7"), refusal.getMessage());
    }

    @Test
    void shouldRefuseAnUnknownCodeOnTheWire() throws IOException {
        pair.source.write(out -> out.writeInt(99));

        ProtocolException refusal = assertThrows(ProtocolException.class, pair.target::readMessage);
        assertTrue(refusal.getMessage().contains("99"), refusal.getMessage());
    }

    @Test
    void shouldRefuseAnImpossibleStringLength() throws IOException {
        pair.source.write(out -> {
            out.writeInt(ColoMessage.ERROR.code);
            out.writeInt(Integer.MAX_VALUE);
        });

        ProtocolException refusal = assertThrows(ProtocolException.class, pair.target::readMessage);
        assertTrue(refusal.getMessage().contains("string length"), refusal.getMessage());
    }

    @Test
    void shouldRoundTripAUtf8String() throws IOException {
        pair.source.write(out -> ReplicationChannel.writeString(out, "Zürich → 東京"));

        assertEquals("Zürich → 東京", pair.target.readString());
    }

    @Test
    void shouldNeverInterleaveMessagesWrittenByConcurrentWriters() throws Exception {
        int writers = 4;
        int messagesEach = 200;
        byte[] payload = new byte[3000];
        pair.source.startHeartbeats(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < messagesEach; i++) {
                        int sequence = writer * messagesEach + i;
                        pair.source.write(out -> {
                            out.writeInt(ColoMessage.RAM_BATCH.code);
                            out.writeInt(sequence);
                            out.write(payload, 0, payload.length);
                            out.writeInt(~sequence);
                        });
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        boolean[] seen = new boolean[writers * messagesEach];
        byte[] body = new byte[payload.length];
        for (int n = 0; n < seen.length; n++) {
            assertEquals(ColoMessage.RAM_BATCH, pair.target.readMessage(), "message " + n);
            int sequence = pair.target.in().readInt();
            pair.target.in().readFully(body);
            assertEquals(~sequence, pair.target.in().readInt(), "trailer of message " + sequence);
            seen[sequence] = true;
        }
        for (Thread thread : threads) {
            thread.join(5000);
        }
        for (int sequence = 0; sequence < seen.length; sequence++) {
            assertTrue(seen[sequence], "message " + sequence + " arrived");
        }
    }

    @Test
    void shouldNameTheAddressWhenNobodyListens() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ReplicationAddress nobody = new ReplicationAddress("127.0.0.1", port);

        IOException failure = assertThrows(IOException.class, () -> ReplicationChannel.connect(nobody, 1000));
        assertTrue(failure.getMessage().contains("tcp:127.0.0.1:" + port), failure.getMessage());
    }
}
