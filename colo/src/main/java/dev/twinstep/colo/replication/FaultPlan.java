package dev.twinstep.colo.replication;

/**
 * Fault injection for the failover tests, chosen on the command line by a hidden option: at
 * checkpoint {@code epoch}, corrupt the epoch's checksum, or stop in the middle of the transfer, or
 * stop right after the secondary reported vmstate-received (output released). "Stop" prints a marker
 * line and blocks, so a test can kill the process at exactly that point.
 */
public record FaultPlan(Kind kind, long epoch) {
    /** What to do at the chosen checkpoint. */
    public enum Kind { NONE, CORRUPT, STALL_IN_TRANSFER, STALL_AFTER_RECEIVED }

    /** No fault. */
    public static final FaultPlan NONE = new FaultPlan(Kind.NONE, 0);

    /**
     * Parses {@code corrupt:N}, {@code stall-in-transfer:N} or {@code stall-after-received:N}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static FaultPlan parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected KIND:EPOCH, got '" + text + "'");
        }
        long epoch = Long.parseLong(text.substring(colon + 1));
        Kind kind = switch (text.substring(0, colon)) {
            case "corrupt" -> Kind.CORRUPT;
            case "stall-in-transfer" -> Kind.STALL_IN_TRANSFER;
            case "stall-after-received" -> Kind.STALL_AFTER_RECEIVED;
            default -> throw new IllegalArgumentException("unknown fault '" + text + "'");
        };
        return new FaultPlan(kind, epoch);
    }

    /** Whether {@code kind} applies at {@code epochNow}. */
    boolean at(Kind which, long epochNow) {
        return kind == which && epoch == epochNow;
    }
}
