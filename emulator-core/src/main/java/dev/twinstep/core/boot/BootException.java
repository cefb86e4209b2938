package dev.twinstep.core.boot;

/**
 * A kernel image that cannot be booted. The message is one line meant for the user: it says what is
 * wrong with the image (or the machine it was given) and, where it helps, what to do.
 */
public final class BootException extends Exception {
    private static final long serialVersionUID = 1L;

    public BootException(String message) {
        super(message);
    }
}
