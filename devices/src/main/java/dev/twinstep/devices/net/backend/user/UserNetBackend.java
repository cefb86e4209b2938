package dev.twinstep.devices.net.backend.user;

import static dev.twinstep.devices.net.backend.user.Frames.*;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.NetStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code --netdev user,hostfwd=udp:...}: a built-in gateway in the style of QEMU's slirp, for UDP
 * host forwards only. The guest is 10.0.2.15 and the gateway 10.0.2.2 (MAC 52:55:0a:00:02:02), which
 * answers ARP requests for its address.
 *
 * <p>Address mapping: each host client (its address and port, per forward rule) gets its own
 * gateway-side port, the first free one counting up from {@link #FIRST_GATEWAY_PORT}. A datagram from
 * the client reaches the guest as 10.0.2.2:gatewayPort -> 10.0.2.15:guestPort; the guest's reply to
 * 10.0.2.2:gatewayPort goes back to that client from the forward's host socket. So several clients
 * talk to the guest at once, each seen by the guest as a different port. A mapping unused for
 * {@code idleMillis} is forgotten.
 *
 * <p>The guest's MAC is learned from its frames; a datagram that arrives before it is known is held
 * (a few at most) while the gateway asks for 10.0.2.15 with ARP. Datagrams that do not fit an
 * unfragmented 1500-byte IP packet, guest frames with bad IPv4 or UDP checksums, and traffic other
 * than ARP and forwarded UDP are counted and dropped.
 */
public final class UserNetBackend implements NetBackend {
    /** The gateway's IPv4 address, 10.0.2.2. */
    public static final int GATEWAY_IP = 0x0A000202;
    /** The guest's IPv4 address, 10.0.2.15. */
    public static final int GUEST_IP = 0x0A00020F;
    /** The gateway's MAC, as slirp derives it: 52:55 followed by the IP address. */
    public static final long GATEWAY_MAC = 0x5255_0A00_0202L;
    /** Gateway-side ports for host clients are taken from here upwards. */
    public static final int FIRST_GATEWAY_PORT = 49152;
    /** Default time after which an unused client mapping is forgotten. */
    public static final long DEFAULT_IDLE_MILLIS = 120_000;
    private static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    private static final int MAX_UDP_PAYLOAD = 1500 - IP_HEADER - UDP_HEADER;
    private static final int MAX_HELD_FRAMES = 16;
    private static final long SWEEP_MILLIS = 1000;

    /** A host socket of one forward rule and its clients. */
    private static final class Forward {
        final HostForward rule;
        final DatagramChannel channel;
        final Map<SocketAddress, Flow> flowsByClient = new HashMap<>();

        Forward(HostForward rule, DatagramChannel channel) {
            this.rule = rule;
            this.channel = channel;
        }
    }

    /** One host client's mapping to a gateway-side port. */
    private static final class Flow {
        final Forward forward;
        final SocketAddress client;
        final int gatewayPort;
        volatile long lastUsedNanos;

        Flow(Forward forward, SocketAddress client, int gatewayPort) {
            this.forward = forward;
            this.client = client;
            this.gatewayPort = gatewayPort;
        }
    }

    private final List<HostForward> rules;
    private final long idleNanos;
    private final NetStats stats = new NetStats();
    private final List<Forward> forwards = new ArrayList<>();
    private final AtomicReferenceArray<Flow> flowsByGatewayPort = new AtomicReferenceArray<>(65536);
    private final ArrayDeque<byte[]> heldForGuest = new ArrayDeque<>();
    private final byte[] toGuest = new byte[ETH_HEADER + 1500];
    private final byte[] arpOut = new byte[MIN_FRAME];
    private final ByteBuffer fromHost = ByteBuffer.allocateDirect(65536);
    private final ByteBuffer toHost = ByteBuffer.allocateDirect(65536);

    private FrameSink sink;
    private Selector selector;
    private Thread ioThread;
    private volatile long guestMac = -1;
    private volatile boolean closed;
    private int nextGatewayPort = FIRST_GATEWAY_PORT;
    private int ipIdentification;

    /** A gateway with the given forwards and the default idle timeout. */
    public UserNetBackend(List<HostForward> rules) {
        this(rules, DEFAULT_IDLE_MILLIS);
    }

    /** @param idleMillis how long an unused client mapping is kept */
    public UserNetBackend(List<HostForward> rules, long idleMillis) {
        this.rules = List.copyOf(rules);
        this.idleNanos = idleMillis * 1_000_000L;
    }

    @Override
    public void attach(FrameSink sink) {
        this.sink = sink;
    }

    /** Binds every forward's host socket; a busy port fails here, before the guest starts. */
    @Override
    public void start() throws IOException {
        if (sink == null) {
            throw new IllegalStateException("attach a FrameSink before start()");
        }
        selector = Selector.open();
        try {
            for (HostForward rule : rules) {
                DatagramChannel channel = DatagramChannel.open();
                try {
                    channel.bind(new InetSocketAddress(rule.hostAddress(), rule.hostPort()));
                    channel.configureBlocking(false);
                    Forward forward = new Forward(rule, channel);
                    channel.register(selector, SelectionKey.OP_READ, forward);
                    forwards.add(forward);
                } catch (IOException e) {
                    channel.close();
                    throw new IOException("cannot bind udp " + rule.hostAddress().getHostAddress() + ":" + rule.hostPort()
                            + " for hostfwd: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        ioThread = new Thread(this::ioLoop, "twinstep-net-user");
        ioThread.setDaemon(true);
        ioThread.start();
    }

    /** @return the host port the i-th forward is bound to (useful when the rule asked for port 0) */
    public int boundPort(int index) {
        try {
            return ((InetSocketAddress) forwards.get(index).channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException("forward " + index + " is closed", e);
        }
    }

    /** @return how many host clients currently have a mapping */
    public int activeClients() {
        int count = 0;
        for (int port = FIRST_GATEWAY_PORT; port < 65536; port++) {
            if (flowsByGatewayPort.get(port) != null) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void transmit(byte[] frame, int offset, int length) {
        stats.framesOut.incrementAndGet();
        stats.bytesOut.addAndGet(length);
        if (length < ETH_HEADER) {
            stats.framesBad.incrementAndGet();
            return;
        }
        int type = u16(frame, offset + ETH_TYPE);
        if (type == TYPE_ARP) {
            fromGuestArp(frame, offset, length);
        } else if (type == TYPE_IPV4) {
            fromGuestIpv4(frame, offset, length);
        } else {
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
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException e) {
                // Closing: nothing more to report.
            }
        }
        for (Forward forward : forwards) {
            try {
                forward.channel.close();
            } catch (IOException e) {
                // Closing: nothing more to report.
            }
        }
        if (ioThread != null) {
            ioThread.interrupt();
            try {
                ioThread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void fromGuestArp(byte[] frame, int offset, int length) {
        if (length < ARP_END) {
            stats.framesBad.incrementAndGet();
            return;
        }
        int senderIp = u32(frame, offset + ARP_SPA);
        if (senderIp == GUEST_IP) {
            learnGuestMac(mac(frame, offset + ARP_SHA));
        }
        if (u16(frame, offset + ARP_OPER) != ARP_REQUEST || u32(frame, offset + ARP_TPA) != GATEWAY_IP) {
            return;
        }
        synchronized (arpOut) {
            java.util.Arrays.fill(arpOut, (byte) 0);
            System.arraycopy(frame, offset + ETH_HEADER, arpOut, ETH_HEADER, 6); // htype, ptype, hlen, plen
            putMac(arpOut, ETH_DST, mac(frame, offset + ARP_SHA));
            putMac(arpOut, ETH_SRC, GATEWAY_MAC);
            putU16(arpOut, ETH_TYPE, TYPE_ARP);
            putU16(arpOut, ARP_OPER, ARP_REPLY);
            putMac(arpOut, ARP_SHA, GATEWAY_MAC);
            putU32(arpOut, ARP_SPA, GATEWAY_IP);
            putMac(arpOut, ARP_THA, mac(frame, offset + ARP_SHA));
            putU32(arpOut, ARP_TPA, senderIp);
            toSink(arpOut, MIN_FRAME);
        }
    }

    private void fromGuestIpv4(byte[] frame, int offset, int length) {
        int ip = offset + IP;
        if (length < ETH_HEADER + IP_HEADER || (frame[ip] & 0xF0) != 0x40) {
            stats.framesBad.incrementAndGet();
            return;
        }
        int headerLength = (frame[ip] & 0x0F) * 4;
        int totalLength = u16(frame, offset + IP_TOTAL_LENGTH);
        if (headerLength < IP_HEADER || totalLength < headerLength || ETH_HEADER + totalLength > length
                || ipv4HeaderChecksum(frame, ip, headerLength) != 0) {
            stats.framesBad.incrementAndGet();
            return;
        }
        if (u32(frame, offset + IP_SRC) == GUEST_IP) {
            learnGuestMac(mac(frame, offset + ETH_SRC));
        }
        boolean fragment = (u16(frame, offset + IP_FRAGMENT) & 0x3FFF) != 0;
        if (frame[offset + IP_PROTOCOL] != PROTOCOL_UDP || u32(frame, offset + IP_DST) != GATEWAY_IP || fragment) {
            stats.framesDropped.incrementAndGet();
            return;
        }
        if (totalLength - headerLength < UDP_HEADER) {
            stats.framesBad.incrementAndGet();
            return;
        }
        int udp = ip + headerLength;
        int udpLength = u16(frame, udp + 4);
        if (udpLength < UDP_HEADER || udpLength > totalLength - headerLength
                || u16(frame, udp + 6) != 0 && udpChecksum(frame, ip, udp, udpLength) != 0) {
            stats.framesBad.incrementAndGet();
            return;
        }
        Flow flow = flowsByGatewayPort.get(u16(frame, udp + 2));
        if (flow == null) {
            stats.framesDropped.incrementAndGet();
            return;
        }
        flow.lastUsedNanos = System.nanoTime();
        toHost.clear();
        toHost.put(frame, udp + UDP_HEADER, udpLength - UDP_HEADER).flip();
        try {
            if (flow.forward.channel.send(toHost, flow.client) == 0) {
                stats.framesDropped.incrementAndGet();
            }
        } catch (IOException e) {
            stats.framesDropped.incrementAndGet();
        }
    }

    private void learnGuestMac(long mac) {
        if (mac == guestMac || (mac & 0x0100_0000_0000L) != 0) {
            return;
        }
        synchronized (heldForGuest) {
            guestMac = mac;
            for (byte[] held = heldForGuest.poll(); held != null; held = heldForGuest.poll()) {
                putMac(held, ETH_DST, mac);
                toSink(held, held.length);
            }
        }
    }

    private void ioLoop() {
        long lastSweep = System.nanoTime();
        try {
            while (!closed) {
                selector.select(SWEEP_MILLIS);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    receiveFromHost((Forward) key.attachment());
                }
                long now = System.nanoTime();
                if (now - lastSweep >= SWEEP_MILLIS * 1_000_000L) {
                    forgetIdleClients(now);
                    lastSweep = now;
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            // Closed by close(), or the selector failed: host forwarding stops, the guest keeps running.
        }
    }

    private void receiveFromHost(Forward forward) throws IOException {
        while (true) {
            fromHost.clear();
            SocketAddress client = forward.channel.receive(fromHost);
            if (client == null) {
                return;
            }
            fromHost.flip();
            int payload = fromHost.remaining();
            if (payload > MAX_UDP_PAYLOAD) {
                stats.framesDropped.incrementAndGet();
                continue;
            }
            Flow flow = forward.flowsByClient.get(client);
            if (flow == null) {
                flow = newFlow(forward, client);
                if (flow == null) {
                    stats.framesDropped.incrementAndGet();
                    continue;
                }
            }
            flow.lastUsedNanos = System.nanoTime();
            int frameLength = buildUdpToGuest(flow.gatewayPort, forward.rule.guestPort(), payload);
            long mac = guestMac;
            if (mac >= 0) {
                putMac(toGuest, ETH_DST, mac);
                toSink(toGuest, frameLength);
            } else {
                holdUntilGuestAnswers(frameLength);
            }
        }
    }

    private Flow newFlow(Forward forward, SocketAddress client) {
        for (int tries = 0; tries < 65536 - FIRST_GATEWAY_PORT; tries++) {
            int port = nextGatewayPort;
            nextGatewayPort = port == 65535 ? FIRST_GATEWAY_PORT : port + 1;
            if (flowsByGatewayPort.get(port) == null) {
                Flow flow = new Flow(forward, client, port);
                forward.flowsByClient.put(client, flow);
                flowsByGatewayPort.set(port, flow);
                return flow;
            }
        }
        return null;
    }

    private void forgetIdleClients(long now) {
        for (Forward forward : forwards) {
            Iterator<Flow> flows = forward.flowsByClient.values().iterator();
            while (flows.hasNext()) {
                Flow flow = flows.next();
                if (now - flow.lastUsedNanos > idleNanos) {
                    flows.remove();
                    flowsByGatewayPort.set(flow.gatewayPort, null);
                }
            }
        }
    }

    /** Writes Ethernet, IPv4 and UDP headers around the payload in {@link #fromHost}. @return the frame length */
    private int buildUdpToGuest(int gatewayPort, int guestPort, int payload) {
        int udpLength = UDP_HEADER + payload;
        int frameLength = Math.max(MIN_FRAME, UDP + udpLength);
        java.util.Arrays.fill(toGuest, UDP + udpLength, frameLength, (byte) 0);
        putMac(toGuest, ETH_SRC, GATEWAY_MAC);
        putU16(toGuest, ETH_TYPE, TYPE_IPV4);
        toGuest[IP] = 0x45;
        toGuest[IP + 1] = 0;
        putU16(toGuest, IP_TOTAL_LENGTH, IP_HEADER + udpLength);
        putU16(toGuest, IP + 4, ipIdentification++ & 0xFFFF);
        putU16(toGuest, IP_FRAGMENT, 0x4000); // don't fragment
        toGuest[IP + 8] = 64;
        toGuest[IP_PROTOCOL] = PROTOCOL_UDP;
        putU16(toGuest, IP_CHECKSUM, 0);
        putU32(toGuest, IP_SRC, GATEWAY_IP);
        putU32(toGuest, IP_DST, GUEST_IP);
        putU16(toGuest, IP_CHECKSUM, ipv4HeaderChecksum(toGuest, IP, IP_HEADER));
        putU16(toGuest, UDP, gatewayPort);
        putU16(toGuest, UDP + 2, guestPort);
        putU16(toGuest, UDP + 4, udpLength);
        putU16(toGuest, UDP + 6, 0);
        fromHost.get(toGuest, UDP_PAYLOAD, payload);
        int checksum = udpChecksum(toGuest, IP, UDP, udpLength);
        putU16(toGuest, UDP + 6, checksum == 0 ? 0xFFFF : checksum); // 0 would mean "no checksum"
        return frameLength;
    }

    private void holdUntilGuestAnswers(int frameLength) {
        synchronized (heldForGuest) {
            long mac = guestMac;
            if (mac >= 0) { // learned meanwhile
                putMac(toGuest, ETH_DST, mac);
                toSink(toGuest, frameLength);
                return;
            }
            if (heldForGuest.size() >= MAX_HELD_FRAMES) {
                stats.framesDropped.incrementAndGet();
            } else {
                heldForGuest.add(java.util.Arrays.copyOf(toGuest, frameLength));
            }
        }
        askWhoHasGuestIp();
    }

    private void askWhoHasGuestIp() {
        synchronized (arpOut) {
            java.util.Arrays.fill(arpOut, (byte) 0);
            putMac(arpOut, ETH_DST, BROADCAST_MAC);
            putMac(arpOut, ETH_SRC, GATEWAY_MAC);
            putU16(arpOut, ETH_TYPE, TYPE_ARP);
            putU16(arpOut, ETH_HEADER, 1); // Ethernet
            putU16(arpOut, ETH_HEADER + 2, TYPE_IPV4);
            arpOut[ETH_HEADER + 4] = 6;
            arpOut[ETH_HEADER + 5] = 4;
            putU16(arpOut, ARP_OPER, ARP_REQUEST);
            putMac(arpOut, ARP_SHA, GATEWAY_MAC);
            putU32(arpOut, ARP_SPA, GATEWAY_IP);
            putU32(arpOut, ARP_TPA, GUEST_IP);
            toSink(arpOut, MIN_FRAME);
        }
    }

    private void toSink(byte[] frame, int length) {
        if (sink.offer(frame, 0, length)) { // a refused frame is counted by the sink, as its contract says
            stats.framesIn.incrementAndGet();
            stats.bytesIn.addAndGet(length);
        }
    }
}
