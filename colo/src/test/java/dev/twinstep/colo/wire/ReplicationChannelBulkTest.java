package dev.twinstep.colo.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bulk bytes between direct buffers and the socket ({@link ReplicationChannel#writeDirect},
 * {@link ReplicationChannel.Input#readFully(ByteBuffer)}), on a channel-backed connection (the
 * zero-copy path) and on a plain accepted socket (the fallback), interleaved with stream bytes.
 */
class ReplicationChannelBulkTest {
    private static final int BULK_BYTES = 3 << 20;

    /** A connected pair; {@code channelBacked} picks the listener kind and so the accepting end's path. */
    private static ReplicationChannel[] open(boolean channelBacked) throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (ServerSocket server = channelBacked ? ReplicationChannel.listen(any, 1)
                : new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ReplicationChannel source = ReplicationChannel.connect(
                    new ReplicationAddress("127.0.0.1", server.getLocalPort()), 2000);
            return new ReplicationChannel[] {source, ReplicationChannel.accept(server)};
        }
    }

    private static ByteBuffer randomDirect(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return ByteBuffer.allocateDirect(size).put(bytes).flip();
    }

    private static byte[] contents(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.limit()];
        buffer.duplicate().position(0).get(bytes);
        return bytes;
    }

    @Test
    void shouldAcceptChannelBackedConnectionsFromItsOwnListenerOnly() throws IOException {
        ReplicationChannel[] zeroCopy = open(true);
        ReplicationChannel[] plain = open(false);
        try {
            assertTrue(zeroCopy[0].isZeroCopy() && zeroCopy[1].isZeroCopy());
            assertTrue(plain[0].isZeroCopy(), "connect always makes a channel");
            assertFalse(plain[1].isZeroCopy(), "a plain ServerSocket accepts plain sockets");
        } finally {
            for (ReplicationChannel channel : zeroCopy) {
                channel.close();
            }
            for (ReplicationChannel channel : plain) {
                channel.close();
            }
        }
    }

    @Test
    void shouldCarryBulkBytesBetweenStreamBytesOnAChannelBackedConnection() throws Exception {
        shouldCarryBulkBytesBetweenStreamBytes(true);
    }

    @Test
    void shouldCarryBulkBytesBetweenStreamBytesOnAPlainAcceptedSocket() throws Exception {
        shouldCarryBulkBytesBetweenStreamBytes(false);
    }

    private void shouldCarryBulkBytesBetweenStreamBytes(boolean channelBacked) throws Exception {
        ReplicationChannel[] pair = open(channelBacked);
        try {
            ByteBuffer sent = randomDirect(BULK_BYTES, 7);
            ByteBuffer small = randomDirect(100, 8);
            CompletableFuture<Void> writer = Background.run("writer", () -> pair[0].write(out -> {
                out.writeInt(ColoMessage.VMSTATE_SEND.code);
                out.writeInt(12345);
                pair[0].writeDirect(sent);
                out.writeLong(-2);
                pair[0].writeDirect(small);
                out.writeInt(54321);
            }));

            pair[1].expect(ColoMessage.VMSTATE_SEND);
            assertEquals(12345, pair[1].in().readInt());
            ByteBuffer received = ByteBuffer.allocateDirect(BULK_BYTES);
            pair[1].in().readFully(received);
            assertEquals(-2, pair[1].in().readLong());
            ByteBuffer receivedSmall = ByteBuffer.allocateDirect(100);
            pair[1].in().readFully(receivedSmall);
            assertEquals(54321, pair[1].in().readInt());
            writer.get(10, TimeUnit.SECONDS);

            assertFalse(received.hasRemaining(), "the read fills the buffer to its limit");
            assertArrayEquals(contents(sent), contents(received));
            assertArrayEquals(contents(small), contents(receivedSmall));
            assertFalse(sent.hasRemaining(), "the write consumes the buffer");
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void shouldRefuseABulkWriteOutsideAWriteAction() throws IOException {
        ReplicationChannel[] pair = open(true);
        try {
            assertThrows(IllegalStateException.class, () -> pair[0].writeDirect(ByteBuffer.allocateDirect(8)));
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void shouldTimeOutABulkReadThatWaitsLongerThanTheReadTimeout() throws Exception {
        ReplicationChannel[] pair = open(true);
        try {
            pair[1].setReadTimeout(150);
            pair[0].write(out -> pair[0].writeDirect(randomDirect(1000, 1)));

            ByteBuffer into = ByteBuffer.allocateDirect(2000);
            IOException failure = assertThrows(IOException.class, () -> pair[1].in().readFully(into));
            assertTrue(ReplicationChannel.isTimeout(failure), String.valueOf(failure));
            assertEquals(1000, into.position(), "the bytes that came are kept");
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void shouldReportEndOfStreamInTheMiddleOfABulkRead() throws Exception {
        ReplicationChannel[] pair = open(true);
        try {
            pair[0].write(out -> pair[0].writeDirect(randomDirect(1000, 2)));
            pair[0].close();

            assertThrows(EOFException.class, () -> pair[1].in().readFully(ByteBuffer.allocateDirect(2000)));
        } finally {
            pair[1].close();
        }
    }

    @Test
    void shouldCountABulkReadWaitingForThePeerAsSilenceAndFailItAtOnceWhenClosed() throws Exception {
        ReplicationChannel[] pair = open(true);
        try {
            CompletableFuture<Void> reader = Background.run("bulk-reader",
                    () -> pair[1].in().readFully(ByteBuffer.allocateDirect(1 << 20)));
            pair[0].write(out -> pair[0].writeDirect(randomDirect(4096, 3)));
            Thread.sleep(200);
            long silence = pair[1].silentNanos();
            pair[1].close();

            assertTrue(silence >= 100_000_000L, "silence of " + silence / 1_000_000 + " ms while the peer sent nothing");
            ExecutionException failure = assertThrows(ExecutionException.class, () -> reader.get(5, TimeUnit.SECONDS));
            assertTrue(failure.getCause() instanceof IOException, String.valueOf(failure.getCause()));
            assertTrue(failure.getCause().getMessage().contains("closed"), failure.getCause().getMessage());
        } finally {
            pair[0].close();
        }
    }
}
