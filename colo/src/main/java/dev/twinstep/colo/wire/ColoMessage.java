package dev.twinstep.colo.wire;

/**
 * The messages of the replication protocol, as 32-bit big-endian codes on the wire. Codes 0-6 are
 * QEMU's {@code COLOMessage} in its order (the seed design); Twinstep's own follow.
 */
public enum ColoMessage {
    /** Secondary: the initial sync is loaded, checkpoints may start (sent once). */
    CHECKPOINT_READY(0),
    /** Primary: a checkpoint begins; followed by the epoch number (long). */
    CHECKPOINT_REQUEST(1),
    /** Secondary: ready to receive the epoch; followed by the epoch number. */
    CHECKPOINT_REPLY(2),
    /** Primary: the epoch's RAM pages follow (int count, then count x (int page, 4096 bytes)). */
    VMSTATE_SEND(3),
    /** Primary: a long length and that many bytes of device and disk state follow, then the epoch's CRC32C. */
    VMSTATE_SIZE(4),
    /** Secondary: the whole epoch arrived and verified; the primary may release its output. */
    VMSTATE_RECEIVED(5),
    /** Secondary: the epoch is applied. */
    VMSTATE_LOADED(6),
    /** Both, first: protocol version, purpose and the sender's machine description. */
    HELLO(7),
    /** Both: still alive (any byte received counts as well). */
    HEARTBEAT(8),
    /** Primary: the guest ended; followed by its exit status. The secondary ends too, without failover. */
    GUEST_SHUTDOWN(9),
    /** Either: an explicit failover notice (the sender stops replicating now). */
    FAILOVER(10),
    /** Pre-copy: a batch of RAM pages applied directly (the receiver is not authoritative yet). */
    RAM_BATCH(11),
    /** Pre-copy: a run of disk sectors applied directly. */
    DISK_BATCH(12),
    /** Migration: the source has stopped its guest and released its host endpoints; the destination runs. */
    HANDOVER(13),
    /** Either: the sender refuses to go on; followed by a one-line reason. */
    ERROR(14);

    private static final ColoMessage[] BY_CODE = values();

    /** The code on the wire. */
    public final int code;

    ColoMessage(int code) {
        this.code = code;
    }

    /**
     * The message with {@code code}.
     *
     * @throws ProtocolException for a code this build does not know
     */
    public static ColoMessage of(int code) throws ProtocolException {
        if (code < 0 || code >= BY_CODE.length || BY_CODE[code].code != code) {
            throw new ProtocolException("unknown replication message code " + code);
        }
        return BY_CODE[code];
    }
}
