package dev.twinstep.colo.wire;

import java.io.IOException;

/** The peer sent something the protocol does not allow here: a bad code, length, checksum or order. */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message one line saying what was wrong */
    public ProtocolException(String message) {
        super(message);
    }
}
