package dev.twinstep.colo.wire;

import java.io.IOException;

/**
 * The primary reported {@link ColoMessage#GUEST_SHUTDOWN} where the reader expected something else
 * (inside a sync or a checkpoint transaction): the guest has ended, so the replica must end too,
 * with the guest's status, and must not take over.
 */
public final class GuestShutdownException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    /** @param status the guest's exit status on the primary */
    public GuestShutdownException(int status) {
        super("the guest ended on the primary (status " + status + ")");
        this.status = status;
    }

    /** The guest's exit status on the primary. */
    public int status() {
        return status;
    }
}
