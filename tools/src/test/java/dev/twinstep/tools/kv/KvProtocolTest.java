package dev.twinstep.tools.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twinstep.tools.kv.KvProtocol.Op;
import dev.twinstep.tools.kv.KvProtocol.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KvProtocolTest {
    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    @Test
    void shouldEncodeAPutRequestAsTheDocumentedBigEndianHeaderThenKeyThenValue() {
        ByteBuffer out = ByteBuffer.allocate(KvProtocol.DATAGRAM_MAX);
        KvProtocol.encodeRequest(out, Op.PUT, 0x0102030405060708L, 0x1122L, "ab".getBytes(StandardCharsets.UTF_8),
                new byte[] {9, 8, 7});
        assertEquals("4b56" + "01" + "01" + "0102030405060708" + "0000000000001122" + "02" + "00" + "0003"
                + "6162" + "090807", HexFormat.of().formatHex(bytes(out)));
    }

    @Test
    void shouldEncodeTheIncrDeltaAsEightBigEndianBytes() {
        ByteBuffer out = ByteBuffer.allocate(KvProtocol.DATAGRAM_MAX);
        KvProtocol.encodeRequest(out, Op.INCR, 5, 6, new byte[] {'c'}, KvProtocol.encodeLong(-2));
        byte[] encoded = bytes(out);
        assertEquals(KvProtocol.HEADER_LENGTH + 1 + 8, encoded.length);
        assertEquals(3, encoded[3]);
        assertEquals(-2L, ByteBuffer.wrap(encoded, 25, 8).getLong());
    }

    @Test
    void shouldRefuseEmptyOrOversizedKeysOversizedValuesAndReservedZeroIds() {
        ByteBuffer out = ByteBuffer.allocate(KvProtocol.DATAGRAM_MAX);
        assertThrows(IllegalArgumentException.class, () -> KvProtocol.encodeRequest(out, Op.GET, 1, 1, new byte[0], new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> KvProtocol.encodeRequest(out, Op.GET, 1, 1, new byte[KvProtocol.KEY_MAX + 1], new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> KvProtocol.encodeRequest(out, Op.PUT, 1, 1, new byte[1], new byte[KvProtocol.VALUE_MAX + 1]));
        assertThrows(IllegalArgumentException.class, () -> KvProtocol.encodeRequest(out, Op.GET, 0, 1, new byte[1], new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> KvProtocol.encodeRequest(out, Op.GET, 1, 0, new byte[1], new byte[0]));
    }

    @Test
    void shouldDecodeAReplyWithItsStatusAndValue() {
        byte[] reply = HexFormat.of().parseHex("4b56" + "01" + "03" + "00000000000000aa" + "0000000000000007" + "00"
                + "00" + "0008" + "000000000000002a");
        KvReply decoded = KvProtocol.decodeReply(reply, reply.length);
        assertEquals(Op.INCR, decoded.op());
        assertEquals(0xAAL, decoded.client());
        assertEquals(7L, decoded.seq());
        assertEquals(Status.OK, decoded.status());
        assertEquals(42L, decoded.counter());
    }

    @Test
    void shouldDecodeANotFoundReplyWithAnEmptyValue() {
        byte[] reply = HexFormat.of().parseHex("4b56" + "01" + "02" + "0000000000000001" + "0000000000000002" + "01"
                + "00" + "0000");
        KvReply decoded = KvProtocol.decodeReply(reply, reply.length);
        assertEquals(Status.NOT_FOUND, decoded.status());
        assertArrayEquals(new byte[0], decoded.value());
    }

    @Test
    void shouldRejectRepliesWithBadMagicShortHeaderOrWrongValueLength() {
        byte[] badMagic = HexFormat.of().parseHex("4b57" + "01" + "02" + "0000000000000001" + "0000000000000002"
                + "00" + "00" + "0000");
        assertThrows(IllegalArgumentException.class, () -> KvProtocol.decodeReply(badMagic, badMagic.length));
        assertThrows(IllegalArgumentException.class, () -> KvProtocol.decodeReply(badMagic, 10));
        byte[] longer = HexFormat.of().parseHex("4b56" + "01" + "02" + "0000000000000001" + "0000000000000002"
                + "00" + "00" + "0005" + "0102");
        assertThrows(IllegalArgumentException.class, () -> KvProtocol.decodeReply(longer, longer.length));
    }

    @Test
    void shouldRoundTripAnEncodedRequestHeaderThroughTheReplyDecoderFields() {
        ByteBuffer out = ByteBuffer.allocate(KvProtocol.DATAGRAM_MAX);
        KvProtocol.encodeRequest(out, Op.DEL, -5L, Long.MAX_VALUE, new byte[] {'k'}, new byte[0]);
        byte[] encoded = bytes(out);
        // A reply shares the first 20 bytes (magic, version, op, client, seq) with its request.
        byte[] reply = new byte[KvProtocol.HEADER_LENGTH];
        System.arraycopy(encoded, 0, reply, 0, 20);
        KvReply decoded = KvProtocol.decodeReply(reply, reply.length);
        assertEquals(Op.DEL, decoded.op());
        assertEquals(-5L, decoded.client());
        assertEquals(Long.MAX_VALUE, decoded.seq());
    }
}
