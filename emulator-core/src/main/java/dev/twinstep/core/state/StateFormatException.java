package dev.twinstep.core.state;

/** A snapshot or checkpoint stream that cannot be loaded: truncated, corrupt, mismatched or unknown. */
public final class StateFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateFormatException(String message) {
        super(message);
    }

    public StateFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
