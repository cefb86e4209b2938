package dev.twinstep.devices.net.backend;

import static dev.twinstep.devices.net.backend.TestFrames.ETHERTYPE_ARP;
import static dev.twinstep.devices.net.backend.TestFrames.ETHERTYPE_IPV4;
import static dev.twinstep.devices.net.backend.TestFrames.etherType;
import static dev.twinstep.devices.net.backend.TestFrames.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Interop with QEMU's own {@code -netdev stream}: a qemu-system-i386 (no guest CPU, {@code -machine
 * none}) joins its stream netdev and its slirp user netdev on one hub, so whatever our back end sends
 * on the wire reaches QEMU's slirp and slirp's answers come back over the wire. The test plays a guest
 * at 10.0.2.15 behind our back end: QEMU's slirp must answer its ARP and deliver a host datagram to it
 * through QEMU's hostfwd, and its UDP reply must reach the host client. (QEMU 7.2's slirp with
 * {@code restrict=on} drops those replies, so slirp runs unrestricted; the fake guest sends nothing
 * but ARP and the one reply.)
 */
class StreamQemuInteropTest {
    private static final String QEMU = "qemu-system-i386";
    private static final byte[] GUEST_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};
    private static final byte[] GUEST_IP = {10, 0, 2, 15};
    private static final byte[] SLIRP_MAC = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
    private static final byte[] SLIRP_IP = {10, 0, 2, 2};
    private static final int GUEST_PORT = 7777;

    private final RecordingSink sink = new RecordingSink();
    private StreamNetBackend backend;
    private Process qemu;

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (backend != null) {
            backend.close();
        }
        if (qemu != null) {
            qemu.destroy();
            if (!qemu.waitFor(5, TimeUnit.SECONDS)) {
                qemu.destroyForcibly();
            }
        }
    }

    private static boolean qemuInstalled() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, QEMU))) {
                return true;
            }
        }
        return false;
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private void startQemu(String streamOptions, int hostForwardPort) throws IOException {
        List<String> command = new ArrayList<>(List.of(QEMU, "-machine", "none", "-nodefaults", "-display", "none",
                "-monitor", "none", "-serial", "none",
                "-netdev", "stream,id=wire," + streamOptions,
                "-netdev", "user,id=slirp,hostfwd=udp:127.0.0.1:" + hostForwardPort + "-10.0.2.15:" + GUEST_PORT,
                "-netdev", "hubport,id=p0,hubid=0,netdev=wire",
                "-netdev", "hubport,id=p1,hubid=0,netdev=slirp"));
        qemu = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void shouldTalkToQemuSlirpThroughAQemuStreamServer() throws Exception {
        assumeTrue(qemuInstalled(), "skipped: " + QEMU + " is not installed (apt-get install qemu-system-x86)");
        int wirePort = freeTcpPort();
        int hostPort = freeUdpPort();
        startQemu("server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=" + wirePort, hostPort);
        backend = connectWhenQemuListens(wirePort);
        exchangeWithSlirp(hostPort);
    }

    @Test
    void shouldTalkToQemuSlirpWhenQemuConnectsToOurServer() throws Exception {
        assumeTrue(qemuInstalled(), "skipped: " + QEMU + " is not installed (apt-get install qemu-system-x86)");
        backend = new StreamNetBackend(new StreamEndpoint(true, new InetSocketAddress("127.0.0.1", 0)));
        backend.attach(sink);
        backend.start();
        int hostPort = freeUdpPort();
        startQemu("server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=" + backend.localPort(), hostPort);
        assertTrue(backend.awaitPeer(10, TimeUnit.SECONDS), "QEMU should connect to our stream server");
        exchangeWithSlirp(hostPort);
    }

    private StreamNetBackend connectWhenQemuListens(int wirePort) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            StreamNetBackend client = new StreamNetBackend(new StreamEndpoint(false,
                    new InetSocketAddress("127.0.0.1", wirePort)));
            client.attach(sink);
            try {
                client.start();
                return client;
            } catch (IOException notYet) {
                client.close();
                if (System.nanoTime() > deadline || !qemu.isAlive()) {
                    throw new AssertionError("QEMU did not listen on port " + wirePort, notYet);
                }
                Thread.sleep(50);
            }
        }
    }

    private void exchangeWithSlirp(int hostPort) throws Exception {
        byte[] whoHasGateway = TestFrames.arp(false, GUEST_MAC, GUEST_IP, null, SLIRP_IP);
        backend.transmit(whoHasGateway, 0, whoHasGateway.length);
        byte[] arpReply = next(frame -> etherType(frame) == ETHERTYPE_ARP && frame[21] == 2);
        assertNotNull(arpReply, "QEMU's slirp should answer our ARP request over the stream");
        assertArrayEquals(SLIRP_MAC, slice(arpReply, 22, 6));
        assertArrayEquals(SLIRP_IP, slice(arpReply, 28, 4));
        assertArrayEquals(GUEST_MAC, slice(arpReply, 0, 6));

        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(5000);
            byte[] request = "hello over the wire".getBytes(StandardCharsets.US_ASCII);
            byte[] datagram = null;
            for (int attempt = 0; attempt < 5 && datagram == null; attempt++) { // slirp may still be starting
                client.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), hostPort));
                datagram = next(frame -> {
                    if (etherType(frame) == ETHERTYPE_ARP && frame[21] == 1
                            && Arrays.equals(slice(frame, 38, 4), GUEST_IP)) {
                        byte[] answer = TestFrames.arp(true, GUEST_MAC, GUEST_IP, slice(frame, 22, 6), slice(frame, 28, 4));
                        backend.transmit(answer, 0, answer.length);
                    }
                    return etherType(frame) == ETHERTYPE_IPV4 && frame[23] == 17;
                }, 1000);
            }
            assertNotNull(datagram, "QEMU's hostfwd should send the host's datagram over the stream");
            assertTrue(TestFrames.hasCorrectUdpChecksums(datagram), "QEMU's frame parses with our framing");
            assertEquals(GUEST_PORT, Short.toUnsignedInt(ByteBuffer.wrap(datagram).getShort(36)));
            int udpLength = Short.toUnsignedInt(ByteBuffer.wrap(datagram).getShort(38));
            assertEquals("hello over the wire", new String(datagram, 42, udpLength - 8, StandardCharsets.US_ASCII));

            int slirpPort = Short.toUnsignedInt(ByteBuffer.wrap(datagram).getShort(34));
            byte[] reply = TestFrames.udp(GUEST_MAC, slice(datagram, 6, 6), GUEST_IP, slice(datagram, 26, 4), GUEST_PORT,
                    slirpPort, "reply from the wire".getBytes(StandardCharsets.US_ASCII));
            backend.transmit(reply, 0, reply.length);
            DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
            client.receive(answer);
            assertEquals("reply from the wire",
                    new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII));
        }
        assertEquals(0, backend.stats().framesBad.get());
    }

    private byte[] next(Predicate<byte[]> wanted) throws InterruptedException {
        return next(wanted, 10_000);
    }

    private byte[] next(Predicate<byte[]> wanted, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            byte[] frame = sink.next(100);
            if (frame != null && wanted.test(frame)) {
                return frame;
            }
        }
        return null;
    }
}
