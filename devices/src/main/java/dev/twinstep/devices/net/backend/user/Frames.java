package dev.twinstep.devices.net.backend.user;

/**
 * Byte offsets and helpers for the frames the user back end reads and writes: Ethernet II carrying
 * ARP or IPv4/UDP. Methods work in place on a byte array, so parsing and building allocate nothing.
 */
final class Frames {
    static final int ETH_DST = 0;
    static final int ETH_SRC = 6;
    static final int ETH_TYPE = 12;
    static final int ETH_HEADER = 14;
    static final int TYPE_IPV4 = 0x0800;
    static final int TYPE_ARP = 0x0806;
    /** Ethernet's minimum frame without the FCS: shorter frames are padded with zeros. */
    static final int MIN_FRAME = 60;

    static final int ARP_OPER = ETH_HEADER + 6;
    static final int ARP_SHA = ETH_HEADER + 8;
    static final int ARP_SPA = ETH_HEADER + 14;
    static final int ARP_THA = ETH_HEADER + 18;
    static final int ARP_TPA = ETH_HEADER + 24;
    static final int ARP_END = ETH_HEADER + 28;
    static final int ARP_REQUEST = 1;
    static final int ARP_REPLY = 2;

    static final int IP = ETH_HEADER;
    static final int IP_TOTAL_LENGTH = IP + 2;
    static final int IP_FRAGMENT = IP + 6;
    static final int IP_PROTOCOL = IP + 9;
    static final int IP_CHECKSUM = IP + 10;
    static final int IP_SRC = IP + 12;
    static final int IP_DST = IP + 16;
    static final int IP_HEADER = 20;
    static final int PROTOCOL_UDP = 17;
    static final int UDP_HEADER = 8;
    /** Where a UDP header starts in a frame whose IPv4 header has no options (all frames we build). */
    static final int UDP = IP + IP_HEADER;
    static final int UDP_PAYLOAD = UDP + UDP_HEADER;

    private Frames() {
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static void putU16(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    static int u32(byte[] b, int at) {
        return (u16(b, at) << 16) | u16(b, at + 2);
    }

    static void putU32(byte[] b, int at, int value) {
        putU16(b, at, value >>> 16);
        putU16(b, at + 2, value);
    }

    static void putMac(byte[] b, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            b[at + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    static long mac(byte[] b, int at) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | (b[at + i] & 0xFF);
        }
        return mac;
    }

    /** One's-complement sum of 16-bit big-endian words (an odd last byte is padded with zero), not folded. */
    static long sum16(byte[] b, int from, int length) {
        long sum = 0;
        int end = from + length;
        int i = from;
        for (; i + 1 < end; i += 2) {
            sum += u16(b, i);
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds a one's-complement sum to 16 bits and complements it: the Internet checksum (RFC 1071). */
    static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** @return the IPv4 header checksum over {@code headerLength} bytes at {@code ip} (0 if it is correct) */
    static int ipv4HeaderChecksum(byte[] b, int ip, int headerLength) {
        return finish(sum16(b, ip, headerLength));
    }

    /**
     * The UDP checksum over the IPv4 pseudo-header and the UDP header and data (RFC 768); computed with the
     * checksum field holding its current value, so a correct datagram gives 0.
     */
    static int udpChecksum(byte[] b, int ip, int udp, int udpLength) {
        long sum = sum16(b, ip + 12, 8) + PROTOCOL_UDP + udpLength + sum16(b, udp, udpLength);
        return finish(sum);
    }
}
