package dev.twinstep.tools.control;

/** A control command failed: becomes a QMP {@code error} reply carrying this message. */
public final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, for the client */
    public CommandException(String message) {
        super(message);
    }
}
