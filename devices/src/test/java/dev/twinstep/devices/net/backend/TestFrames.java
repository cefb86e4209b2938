package dev.twinstep.devices.net.backend;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds and checks Ethernet frames in tests, written independently of the back ends' own code (through
 * ByteBuffer, word by word) so that a checksum bug there cannot hide behind the same bug here.
 */
public final class TestFrames {
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;

    private TestFrames() {
    }

    /** RFC 1071 Internet checksum over the concatenated parts; 0 when a filled-in checksum is correct. */
    public static int internetChecksum(byte[]... parts) {
        int total = 0;
        for (byte[] part : parts) {
            total += part.length;
        }
        ByteBuffer all = ByteBuffer.allocate(total + 1);
        for (byte[] part : parts) {
            all.put(part);
        }
        if (total % 2 == 1) {
            all.put((byte) 0);
        }
        all.flip();
        int sum = 0;
        while (all.remaining() >= 2) {
            sum += Short.toUnsignedInt(all.getShort());
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    /** A broadcast ARP request (or, with {@code reply}, an ARP reply to {@code targetMac}), padded to 60 bytes. */
    public static byte[] arp(boolean reply, byte[] senderMac, byte[] senderIp, byte[] targetMac, byte[] targetIp) {
        ByteBuffer arp = ByteBuffer.allocate(60);
        arp.put(reply ? targetMac : new byte[] {-1, -1, -1, -1, -1, -1}).put(senderMac).putShort((short) ETHERTYPE_ARP);
        arp.putShort((short) 1).putShort((short) ETHERTYPE_IPV4).put((byte) 6).put((byte) 4).putShort((short) (reply ? 2 : 1));
        arp.put(senderMac).put(senderIp).put(reply ? targetMac : new byte[6]).put(targetIp);
        return arp.array();
    }

    /** An Ethernet/IPv4/UDP frame with correct IPv4 and UDP checksums. */
    public static byte[] udp(byte[] srcMac, byte[] dstMac, byte[] srcIp, byte[] dstIp, int srcPort, int dstPort,
            byte[] payload) {
        int udpLength = 8 + payload.length;
        ByteBuffer udp = ByteBuffer.allocate(udpLength);
        udp.putShort((short) srcPort).putShort((short) dstPort).putShort((short) udpLength).putShort((short) 0).put(payload);
        udp.putShort(6, (short) internetChecksum(pseudoHeader(srcIp, dstIp, udpLength), udp.array()));
        ByteBuffer ip = ByteBuffer.allocate(20);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLength)).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(srcIp).put(dstIp);
        ip.putShort(10, (short) internetChecksum(ip.array()));
        ByteBuffer frame = ByteBuffer.allocate(Math.max(60, 14 + 20 + udpLength));
        frame.put(dstMac).put(srcMac).putShort((short) ETHERTYPE_IPV4).put(ip.array()).put(udp.array());
        return frame.array();
    }

    /** The IPv4 pseudo-header the UDP checksum covers. */
    public static byte[] pseudoHeader(byte[] srcIp, byte[] dstIp, int udpLength) {
        return ByteBuffer.allocate(12).put(srcIp).put(dstIp).put((byte) 0).put((byte) 17).putShort((short) udpLength)
                .array();
    }

    public static int etherType(byte[] frame) {
        return frame.length < 14 ? -1 : Short.toUnsignedInt(ByteBuffer.wrap(frame).getShort(12));
    }

    public static byte[] slice(byte[] frame, int from, int length) {
        return Arrays.copyOfRange(frame, from, from + length);
    }

    /** @return true if the frame is IPv4/UDP with correct header and UDP checksums (a zero UDP checksum is "none") */
    public static boolean hasCorrectUdpChecksums(byte[] frame) {
        int headerLength = (frame[14] & 0x0F) * 4;
        if (internetChecksum(slice(frame, 14, headerLength)) != 0) {
            return false;
        }
        int udp = 14 + headerLength;
        int udpLength = Short.toUnsignedInt(ByteBuffer.wrap(frame).getShort(udp + 4));
        if (ByteBuffer.wrap(frame).getShort(udp + 6) == 0) {
            return true;
        }
        return internetChecksum(pseudoHeader(slice(frame, 26, 4), slice(frame, 30, 4), udpLength),
                slice(frame, udp, udpLength)) == 0;
    }
}
