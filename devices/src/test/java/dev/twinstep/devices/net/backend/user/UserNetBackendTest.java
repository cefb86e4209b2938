package dev.twinstep.devices.net.backend.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.devices.net.backend.RecordingSink;
import dev.twinstep.devices.net.backend.TestFrames;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The test plays the guest: it transmits frames as a guest NIC would and reads what the gateway sends. */
class UserNetBackendTest {
    private static final byte[] GUEST_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    private static final byte[] GATEWAY_MAC = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
    private static final byte[] GUEST_IP = {10, 0, 2, 15};
    private static final byte[] GATEWAY_IP = {10, 0, 2, 2};
    private static final int GUEST_PORT = 9000;

    private final RecordingSink guest = new RecordingSink();
    private UserNetBackend backend;

    @AfterEach
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    private void startWithForwardTo(int guestPort, long idleMillis) throws IOException {
        backend = new UserNetBackend(List.of(HostForward.parse("udp:127.0.0.1:0-:" + guestPort)), idleMillis);
        backend.attach(guest);
        backend.start();
    }

    /** An ARP request from the guest, as a guest stack sends before its first datagram. */
    private static byte[] arpRequestFromGuest(byte[] targetIp) {
        return TestFrames.arp(false, GUEST_MAC, GUEST_IP, null, targetIp);
    }

    private static int internetChecksum(byte[]... parts) {
        return TestFrames.internetChecksum(parts);
    }

    private static byte[] slice(byte[] b, int from, int length) {
        return java.util.Arrays.copyOfRange(b, from, from + length);
    }

    /** A UDP datagram from the guest to the gateway, with correct checksums. */
    private static byte[] udpFromGuest(int sourcePort, int gatewayPort, byte[] payload) {
        return TestFrames.udp(GUEST_MAC, GATEWAY_MAC, GUEST_IP, GATEWAY_IP, sourcePort, gatewayPort, payload);
    }

    /** What the guest saw of one datagram from the host, after checking every header field. */
    private record Delivered(int gatewayPort, byte[] payload) {
    }

    private static Delivered checkUdpToGuest(byte[] frame, int guestPort) {
        assertNotNull(frame, "a frame should reach the guest");
        assertArrayEquals(GUEST_MAC, slice(frame, 0, 6), "sent to the guest's MAC");
        assertArrayEquals(GATEWAY_MAC, slice(frame, 6, 6), "sent from the gateway's MAC");
        ByteBuffer b = ByteBuffer.wrap(frame);
        assertEquals(0x0800, Short.toUnsignedInt(b.getShort(12)));
        assertEquals(0x45, frame[14]);
        int totalLength = Short.toUnsignedInt(b.getShort(16));
        assertEquals(17, frame[23]);
        assertArrayEquals(GATEWAY_IP, slice(frame, 26, 4));
        assertArrayEquals(GUEST_IP, slice(frame, 30, 4));
        assertEquals(0, internetChecksum(slice(frame, 14, 20)), "the IPv4 header checksum is correct");
        int udpLength = Short.toUnsignedInt(b.getShort(38));
        assertEquals(totalLength - 20, udpLength);
        assertEquals(guestPort, Short.toUnsignedInt(b.getShort(36)));
        assertNotEquals(0, Short.toUnsignedInt(b.getShort(40)), "the UDP checksum is present");
        byte[] pseudo = ByteBuffer.allocate(12).put(GATEWAY_IP).put(GUEST_IP).put((byte) 0).put((byte) 17)
                .putShort((short) udpLength).array();
        assertEquals(0, internetChecksum(pseudo, slice(frame, 34, udpLength)), "the UDP checksum is correct");
        return new Delivered(Short.toUnsignedInt(b.getShort(34)), slice(frame, 42, udpLength - 8));
    }

    private void sendFromHost(DatagramSocket client, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        client.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), backend.boundPort(0)));
    }

    private static String receiveOnHost(DatagramSocket client) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        client.setSoTimeout(5000);
        client.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void shouldAnswerAnArpRequestForTheGateway() throws Exception {
        startWithForwardTo(GUEST_PORT, UserNetBackend.DEFAULT_IDLE_MILLIS);
        byte[] request = arpRequestFromGuest(GATEWAY_IP);
        backend.transmit(request, 0, request.length);
        byte[] reply = guest.next();
        assertNotNull(reply);
        assertArrayEquals(GUEST_MAC, slice(reply, 0, 6));
        assertEquals(0x0806, Short.toUnsignedInt(ByteBuffer.wrap(reply).getShort(12)));
        assertEquals(2, Short.toUnsignedInt(ByteBuffer.wrap(reply).getShort(20)), "an ARP reply");
        assertArrayEquals(GATEWAY_MAC, slice(reply, 22, 6), "the gateway's MAC");
        assertArrayEquals(GATEWAY_IP, slice(reply, 28, 4));
        assertArrayEquals(GUEST_MAC, slice(reply, 32, 6));
        assertArrayEquals(GUEST_IP, slice(reply, 38, 4));
    }

    @Test
    void shouldIgnoreArpRequestsForOtherAddresses() throws Exception {
        startWithForwardTo(GUEST_PORT, UserNetBackend.DEFAULT_IDLE_MILLIS);
        byte[] request = arpRequestFromGuest(new byte[] {10, 0, 2, 99});
        backend.transmit(request, 0, request.length);
        assertEquals(null, guest.next(200));
    }

    @Test
    void shouldForwardAHostDatagramToTheGuestWithCorrectChecksumsAndRouteTheReplyBack() throws Exception {
        startWithForwardTo(GUEST_PORT, UserNetBackend.DEFAULT_IDLE_MILLIS);
        byte[] hello = arpRequestFromGuest(GATEWAY_IP);
        backend.transmit(hello, 0, hello.length);
        guest.next();
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            sendFromHost(client, "GET x odd");
            Delivered delivered = checkUdpToGuest(guest.next(), GUEST_PORT);
            assertEquals("GET x odd", new String(delivered.payload(), StandardCharsets.US_ASCII));
            byte[] reply = udpFromGuest(GUEST_PORT, delivered.gatewayPort(), "VALUE 1".getBytes(StandardCharsets.US_ASCII));
            backend.transmit(reply, 0, reply.length);
            assertEquals("VALUE 1", receiveOnHost(client));
        }
    }

    @Test
    void shouldAskForTheGuestsMacAndHoldTheDatagramUntilTheGuestAnswers() throws Exception {
        startWithForwardTo(GUEST_PORT, UserNetBackend.DEFAULT_IDLE_MILLIS);
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            sendFromHost(client, "early");
            byte[] question = guest.next();
            assertNotNull(question);
            assertEquals(0x0806, Short.toUnsignedInt(ByteBuffer.wrap(question).getShort(12)));
            assertEquals(1, Short.toUnsignedInt(ByteBuffer.wrap(question).getShort(20)), "an ARP request");
            assertArrayEquals(GUEST_IP, slice(question, 38, 4), "asking for the guest's address");
            ByteBuffer answer = ByteBuffer.allocate(60);
            answer.put(GATEWAY_MAC).put(GUEST_MAC).putShort((short) 0x0806).putShort((short) 1).putShort((short) 0x0800)
                    .put((byte) 6).put((byte) 4).putShort((short) 2).put(GUEST_MAC).put(GUEST_IP).put(GATEWAY_MAC)
                    .put(GATEWAY_IP);
            backend.transmit(answer.array(), 0, 60);
            Delivered delivered = checkUdpToGuest(guest.next(), GUEST_PORT);
            assertEquals("early", new String(delivered.payload(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldGiveEachHostClientItsOwnGatewayPortAndRouteRepliesToTheRightClient() throws Exception {
        startWithForwardTo(GUEST_PORT, UserNetBackend.DEFAULT_IDLE_MILLIS);
        byte[] hello = arpRequestFromGuest(GATEWAY_IP);
        backend.transmit(hello, 0, hello.length);
        guest.next();
        DatagramSocket[] clients = new DatagramSocket[3];
        try {
            for (int i = 0; i < clients.length; i++) {
                clients[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                sendFromHost(clients[i], "client " + i);
            }
            Set<Integer> gatewayPorts = new HashSet<>();
            for (int i = 0; i < clients.length; i++) {
                Delivered delivered = checkUdpToGuest(guest.next(), GUEST_PORT);
                gatewayPorts.add(delivered.gatewayPort());
                String request = new String(delivered.payload(), StandardCharsets.US_ASCII);
                byte[] reply = udpFromGuest(GUEST_PORT, delivered.gatewayPort(),
                        ("reply to " + request).getBytes(StandardCharsets.US_ASCII));
                backend.transmit(reply, 0, reply.length);
            }
            assertEquals(3, gatewayPorts.size(), "each client is a different port for the guest");
            for (int i = 0; i < clients.length; i++) {
                assertEquals("reply to client " + i, receiveOnHost(clients[i]));
            }
            assertEquals(3, backend.activeClients());
        } finally {
            for (DatagramSocket client : clients) {
                if (client != null) {
                    client.close();
                }
            }
        }
    }

    @Test
    void shouldCountAGuestDatagramWithABadUdpChecksumAsBad() throws Exception {
        startWithForwardTo(GUEST_PORT, UserNetBackend.DEFAULT_IDLE_MILLIS);
        byte[] reply = udpFromGuest(GUEST_PORT, UserNetBackend.FIRST_GATEWAY_PORT, "x".getBytes(StandardCharsets.US_ASCII));
        reply[42] ^= 1;
        backend.transmit(reply, 0, reply.length);
        assertEquals(1, backend.stats().framesBad.get());
    }

    @Test
    void shouldForgetAClientMappingAfterItIsIdle() throws Exception {
        startWithForwardTo(GUEST_PORT, 100);
        byte[] hello = arpRequestFromGuest(GATEWAY_IP);
        backend.transmit(hello, 0, hello.length);
        guest.next();
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            sendFromHost(client, "once");
            checkUdpToGuest(guest.next(), GUEST_PORT);
            assertEquals(1, backend.activeClients());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (backend.activeClients() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, backend.activeClients());
        }
    }

    @Test
    void shouldFailToStartWhenTheHostPortIsBusy() throws Exception {
        try (DatagramSocket busy = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            backend = new UserNetBackend(List.of(HostForward.parse("udp:127.0.0.1:" + busy.getLocalPort() + "-:9000")));
            backend.attach(guest);
            IOException e = assertThrows(IOException.class, backend::start);
            assertTrue(e.getMessage().contains("cannot bind udp 127.0.0.1:" + busy.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void shouldParseHostForwardsAsQemuSpellsThem() {
        HostForward forward = HostForward.parse("udp:127.0.0.1:5555-:9000");
        assertEquals("127.0.0.1", forward.hostAddress().getHostAddress());
        assertEquals(5555, forward.hostPort());
        assertEquals(9000, forward.guestPort());
        assertEquals("0.0.0.0", HostForward.parse("udp::5555-10.0.2.15:9000").hostAddress().getHostAddress());
        assertThrows(IllegalArgumentException.class, () -> HostForward.parse("tcp:127.0.0.1:5555-:22"));
        assertThrows(IllegalArgumentException.class, () -> HostForward.parse("udp:127.0.0.1:5555-10.0.2.16:9000"));
        assertThrows(IllegalArgumentException.class, () -> HostForward.parse("udp:127.0.0.1:70000-:9000"));
    }
}
