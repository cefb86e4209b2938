package dev.twinstep.devices.net.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamNetBackendTest {
    private final RecordingSink sink = new RecordingSink();
    private StreamNetBackend backend;

    @AfterEach
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    private StreamNetBackend startServer(int maxFrameBytes) throws IOException {
        backend = new StreamNetBackend(new StreamEndpoint(true, new InetSocketAddress("127.0.0.1", 0)), maxFrameBytes, 50);
        backend.attach(sink);
        backend.start();
        return backend;
    }

    private Socket connectToBackend() throws IOException, InterruptedException {
        Socket peer = new Socket("127.0.0.1", backend.localPort());
        assertTrue(backend.awaitPeer(5, TimeUnit.SECONDS), "the back end should accept the peer");
        return peer;
    }

    private static byte[] frame(int length, int seed) {
        byte[] frame = new byte[length];
        for (int i = 0; i < length; i++) {
            frame[i] = (byte) (seed + i * 7);
        }
        return frame;
    }

    private static void writeFramed(DataOutputStream out, byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
    }

    private static byte[] readFramed(DataInputStream in) throws IOException {
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        return frame;
    }

    private static void awaitCount(AtomicLong counter, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counter.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, counter.get());
    }

    @Test
    void shouldExchangeLengthPrefixedFramesBothWaysAsServer() throws Exception {
        startServer(StreamNetBackend.DEFAULT_MAX_FRAME_BYTES);
        try (Socket peer = connectToBackend()) {
            DataOutputStream out = new DataOutputStream(peer.getOutputStream());
            DataInputStream in = new DataInputStream(peer.getInputStream());
            byte[] fromPeer = frame(60, 1);
            byte[] large = frame(9000, 2);
            writeFramed(out, fromPeer);
            writeFramed(out, large);
            assertArrayEquals(fromPeer, sink.next());
            assertArrayEquals(large, sink.next());

            byte[] fromGuest = frame(1514, 3);
            backend.transmit(fromGuest, 0, fromGuest.length);
            assertArrayEquals(fromGuest, readFramed(in));
            awaitCount(backend.stats().framesIn, 2); // counted just after the sink took the frame
            awaitCount(backend.stats().bytesIn, 60 + 9000);
            assertEquals(1, backend.stats().framesOut.get());
        }
    }

    @Test
    void shouldExchangeFramesAsClientOfAPeerThatListens() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            backend = new StreamNetBackend(new StreamEndpoint(false,
                    new InetSocketAddress("127.0.0.1", listener.getLocalPort())));
            backend.attach(sink);
            backend.start();
            try (Socket peer = listener.accept()) {
                byte[] fromGuest = frame(42, 9);
                backend.transmit(fromGuest, 0, fromGuest.length);
                assertArrayEquals(fromGuest, readFramed(new DataInputStream(peer.getInputStream())));
                byte[] fromPeer = frame(100, 4);
                writeFramed(new DataOutputStream(peer.getOutputStream()), fromPeer);
                assertArrayEquals(fromPeer, sink.next());
            }
        }
    }

    @Test
    void shouldExchangeFramesOverAUnixSocket(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("wire.sock");
        backend = new StreamNetBackend(new StreamEndpoint(true, UnixDomainSocketAddress.of(path)));
        backend.attach(sink);
        backend.start();
        try (SocketChannel peer = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            peer.connect(UnixDomainSocketAddress.of(path));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(peer));
            DataInputStream in = new DataInputStream(Channels.newInputStream(peer));
            byte[] fromPeer = frame(64, 5);
            writeFramed(out, fromPeer);
            assertArrayEquals(fromPeer, sink.next());
            byte[] fromGuest = frame(70, 6);
            backend.transmit(fromGuest, 0, fromGuest.length);
            assertArrayEquals(fromGuest, readFramed(in));
        }
    }

    @Test
    void shouldCountZeroLengthAndOversizedFramesAsBadAndReadTheNextFrame() throws Exception {
        startServer(1514);
        try (Socket peer = connectToBackend()) {
            DataOutputStream out = new DataOutputStream(peer.getOutputStream());
            out.writeInt(0);
            writeFramed(out, frame(1515, 7));
            byte[] good = frame(1514, 8);
            writeFramed(out, good);
            assertArrayEquals(good, sink.next());
            assertEquals(2, backend.stats().framesBad.get());
            awaitCount(backend.stats().framesIn, 1); // counted just after the sink took the frame
        }
    }

    @Test
    void shouldCountATruncatedLengthPrefixAtEndOfStreamAsBadAndAcceptTheNextPeer() throws Exception {
        startServer(StreamNetBackend.DEFAULT_MAX_FRAME_BYTES);
        try (Socket peer = connectToBackend()) {
            peer.getOutputStream().write(new byte[] {0, 0});
            peer.getOutputStream().flush();
        }
        awaitCount(backend.stats().framesBad, 1);
        try (Socket next = new Socket("127.0.0.1", backend.localPort())) {
            byte[] good = frame(60, 10);
            writeFramed(new DataOutputStream(next.getOutputStream()), good);
            assertArrayEquals(good, sink.next());
        }
    }

    @Test
    void shouldCountAFrameCutShortByTheEndOfTheStreamAsBad() throws Exception {
        startServer(StreamNetBackend.DEFAULT_MAX_FRAME_BYTES);
        try (Socket peer = connectToBackend()) {
            DataOutputStream out = new DataOutputStream(peer.getOutputStream());
            out.writeInt(100);
            out.write(frame(40, 11));
            out.flush();
        }
        awaitCount(backend.stats().framesBad, 1);
        assertNull(sink.next(100), "no part of the cut frame reaches the guest");
    }

    @Test
    void shouldDropFramesWhileThePeerIsGoneAndReconnectAsClient() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            backend = new StreamNetBackend(new StreamEndpoint(false,
                    new InetSocketAddress("127.0.0.1", listener.getLocalPort())), 65535, 50);
            backend.attach(sink);
            backend.start();
            listener.accept().close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            byte[] lost = frame(60, 12);
            while (backend.stats().framesDropped.get() == 0 && System.nanoTime() < deadline) {
                backend.transmit(lost, 0, lost.length);
                Thread.sleep(5);
            }
            assertTrue(backend.stats().framesDropped.get() > 0, "frames for a gone peer are counted as dropped");

            try (Socket again = listener.accept()) {
                assertTrue(backend.awaitPeer(5, TimeUnit.SECONDS));
                byte[] fromPeer = frame(80, 13);
                writeFramed(new DataOutputStream(again.getOutputStream()), fromPeer);
                assertArrayEquals(fromPeer, sink.next());
                byte[] fromGuest = frame(90, 14);
                backend.transmit(fromGuest, 0, fromGuest.length);
                assertArrayEquals(fromGuest, readFramed(new DataInputStream(again.getInputStream())));
            }
        }
    }

    @Test
    void shouldFailToStartAClientWhenNobodyListens() throws Exception {
        int freePort;
        try (ServerSocket probe = new ServerSocket(0)) {
            freePort = probe.getLocalPort();
        }
        backend = new StreamNetBackend(new StreamEndpoint(false, new InetSocketAddress("127.0.0.1", freePort)));
        backend.attach(sink);
        assertThrows(IOException.class, backend::start);
    }
}
