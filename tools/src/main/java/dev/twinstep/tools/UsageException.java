package dev.twinstep.tools;

/**
 * Bad input from the user that is found after option parsing (a missing kernel file, an unknown guest
 * name, an image that is not bootable). Reported as one "twinstep: error:" line with exit status 2.
 */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
