package dev.twinstep.colo.sync;

import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ProtocolException;
import dev.twinstep.colo.wire.ReplicationChannel;
import java.io.IOException;

/**
 * The first exchange on a replication connection. The offering side (source, primary) sends
 * {@link ColoMessage#HELLO} with the protocol version, the purpose ({@link #MIGRATE} or
 * {@link #COLO_PERIODIC}), its machine's description ({@link dev.twinstep.colo.state.ReplicatedMachine#describe()})
 * and its machine's options (so that a secondary can build the same machine); the other side checks
 * the offer against itself and answers with its own HELLO, or refuses by name with
 * {@link ColoMessage#ERROR} before any state moves.
 */
public final class Handshake {
    /** Purpose: a live migration. */
    public static final String MIGRATE = "migrate";
    /** Purpose: COLO replication, periodic mode. */
    public static final String COLO_PERIODIC = "colo-periodic";

    /** What the offering side sent. */
    public record Offer(int version, String purpose, String description, String machineOptions) {
    }

    private Handshake() {
    }

    /** The offering side: sends its HELLO and waits for the peer's agreement (or its refusal). */
    public static void offer(ReplicationChannel channel, String purpose, String description, String machineOptions)
            throws IOException {
        channel.write(out -> {
            out.writeInt(ColoMessage.HELLO.code);
            out.writeInt(ReplicationChannel.PROTOCOL_VERSION);
            ReplicationChannel.writeString(out, purpose);
            ReplicationChannel.writeString(out, description);
            ReplicationChannel.writeString(out, machineOptions);
        });
        channel.expect(ColoMessage.HELLO);
        Offer answer = readBody(channel);
        if (answer.version() != ReplicationChannel.PROTOCOL_VERSION || !answer.purpose().equals(purpose)) {
            throw new ProtocolException("the peer answered with protocol " + answer.version() + "/" + answer.purpose());
        }
    }

    /** The answering side, first half: reads the offer. */
    public static Offer readOffer(ReplicationChannel channel) throws IOException {
        channel.expect(ColoMessage.HELLO);
        return readBody(channel);
    }

    private static Offer readBody(ReplicationChannel channel) throws IOException {
        int version = channel.in().readInt();
        String purpose = channel.readString();
        String description = channel.readString();
        String options = channel.readString();
        return new Offer(version, purpose, description, options);
    }

    /**
     * The answering side, second half: agrees if the offer matches this end's purpose and machine,
     * otherwise sends the refusal and throws it.
     */
    public static void answer(ReplicationChannel channel, Offer offer, String purpose, String description)
            throws IOException {
        String refusal = null;
        if (offer.version() != ReplicationChannel.PROTOCOL_VERSION) {
            refusal = "replication protocol version " + offer.version() + " is not supported (this build speaks "
                    + ReplicationChannel.PROTOCOL_VERSION + ")";
        } else if (!offer.purpose().equals(purpose)) {
            refusal = "this end expects a " + purpose + " connection, the peer offered " + offer.purpose();
        } else if (!offer.description().equals(description)) {
            refusal = "the machines differ: peer [" + offer.description() + "], this end [" + description + "]";
        }
        if (refusal != null) {
            refuse(channel, refusal);
        }
        channel.write(out -> {
            out.writeInt(ColoMessage.HELLO.code);
            out.writeInt(ReplicationChannel.PROTOCOL_VERSION);
            ReplicationChannel.writeString(out, purpose);
            ReplicationChannel.writeString(out, description);
            ReplicationChannel.writeString(out, "");
        });
    }

    /** Sends a refusal and throws it. */
    public static void refuse(ReplicationChannel channel, String reason) throws ProtocolException {
        channel.sendError(reason);
        throw new ProtocolException(reason);
    }
}
