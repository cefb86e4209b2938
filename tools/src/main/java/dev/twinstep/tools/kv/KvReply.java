package dev.twinstep.tools.kv;

import dev.twinstep.tools.kv.KvProtocol.Op;
import dev.twinstep.tools.kv.KvProtocol.Status;
import java.util.Arrays;

/**
 * One decoded kvstore reply.
 *
 * @param op     the operation it answers
 * @param client the client id of the request
 * @param seq    the sequence number of the request
 * @param status the outcome
 * @param value  GET: the value; INCR: the new counter value (8 bytes); otherwise empty
 */
public record KvReply(Op op, long client, long seq, Status status, byte[] value) {
    /** The counter value an INCR reply carries. */
    public long counter() {
        return KvProtocol.decodeLong(value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KvReply r && r.op == op && r.client == client && r.seq == seq && r.status == status
                && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(client) * 31 + Long.hashCode(seq);
    }

    @Override
    public String toString() {
        return op + " client " + Long.toHexString(client) + " seq " + seq + ": " + status + " (" + value.length
                + "-byte value)";
    }
}
