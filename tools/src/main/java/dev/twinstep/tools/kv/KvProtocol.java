package dev.twinstep.tools.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The kvstore wire format (guest-images/src/kvstore/PROTOCOL.md): one UDP datagram per request
 * and per reply, a 24-byte big-endian header followed by the key and value (requests) or the
 * value (replies).
 */
public final class KvProtocol {
    /** "KV", the first two bytes of every request and reply. */
    public static final int MAGIC = 0x4B56;
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 24;
    public static final int KEY_MAX = 64;
    public static final int VALUE_MAX = 256;
    /** The largest datagram either side sends. */
    public static final int DATAGRAM_MAX = HEADER_LENGTH + KEY_MAX + VALUE_MAX;

    /** Request operations and their codes. */
    public enum Op {
        PUT(1), GET(2), INCR(3), DEL(4);

        private final int code;

        Op(int code) {
            this.code = code;
        }

        /** The code on the wire. */
        public int code() {
            return code;
        }

        /** The operation with wire code {@code code}. */
        public static Op of(int code) {
            for (Op op : values()) {
                if (op.code == code) {
                    return op;
                }
            }
            throw new IllegalArgumentException("unknown operation code " + code);
        }
    }

    /** Reply statuses and their codes. */
    public enum Status {
        OK(0), NOT_FOUND(1), BAD_REQUEST(2), STORE_FULL(3), DISK_FULL(4), STALE_SEQ(5), CLIENT_TABLE_FULL(6),
        NOT_A_COUNTER(7), IO_ERROR(8);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        /** The code on the wire. */
        public int code() {
            return code;
        }

        /** The status with wire code {@code code}. */
        public static Status of(int code) {
            for (Status status : values()) {
                if (status.code == code) {
                    return status;
                }
            }
            throw new IllegalArgumentException("unknown status code " + code);
        }
    }

    private KvProtocol() {
    }

    /**
     * Writes one request into {@code out} (cleared first, flipped on return, big-endian).
     *
     * @throws IllegalArgumentException when the key is empty or too long, the value too long, or
     *                                  client or sequence number is zero (both are reserved)
     */
    public static void encodeRequest(ByteBuffer out, Op op, long client, long seq, byte[] key, byte[] value) {
        if (key.length == 0 || key.length > KEY_MAX) {
            throw new IllegalArgumentException("key length must be 1.." + KEY_MAX + ", is " + key.length);
        }
        if (value.length > VALUE_MAX) {
            throw new IllegalArgumentException("value length must be at most " + VALUE_MAX + ", is " + value.length);
        }
        if (client == 0 || seq == 0) {
            throw new IllegalArgumentException("client id and sequence number 0 are reserved");
        }
        out.clear().order(ByteOrder.BIG_ENDIAN);
        out.putShort((short) MAGIC).put((byte) VERSION).put((byte) op.code());
        out.putLong(client).putLong(seq);
        out.put((byte) key.length).put((byte) 0).putShort((short) value.length);
        out.put(key).put(value);
        out.flip();
    }

    /** The 8-byte big-endian value INCR takes as its delta and answers with. */
    public static byte[] encodeLong(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    /** Reads an 8-byte counter value. */
    public static long decodeLong(byte[] value) {
        if (value.length != Long.BYTES) {
            throw new IllegalArgumentException("a counter value has 8 bytes, this one " + value.length);
        }
        return ByteBuffer.wrap(value).getLong();
    }

    /**
     * Decodes one reply datagram of {@code length} bytes from {@code data}.
     *
     * @throws IllegalArgumentException when it is not a well-formed version-1 reply
     */
    public static KvReply decodeReply(byte[] data, int length) {
        if (length < HEADER_LENGTH) {
            throw new IllegalArgumentException("reply of " + length + " bytes is shorter than the header");
        }
        ByteBuffer in = ByteBuffer.wrap(data, 0, length).order(ByteOrder.BIG_ENDIAN);
        int magic = in.getShort() & 0xFFFF;
        int version = in.get() & 0xFF;
        if (magic != MAGIC || version != VERSION) {
            throw new IllegalArgumentException(String.format("bad magic %04x or version %d", magic, version));
        }
        Op op = Op.of(in.get() & 0xFF);
        long client = in.getLong();
        long seq = in.getLong();
        Status status = Status.of(in.get() & 0xFF);
        in.get();
        int valueLength = in.getShort() & 0xFFFF;
        if (HEADER_LENGTH + valueLength != length) {
            throw new IllegalArgumentException("value length " + valueLength + " does not match a " + length
                    + "-byte reply");
        }
        byte[] value = new byte[valueLength];
        in.get(value);
        return new KvReply(op, client, seq, status, value);
    }
}
