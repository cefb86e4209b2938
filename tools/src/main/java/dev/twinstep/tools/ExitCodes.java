package dev.twinstep.tools;

/** Process exit statuses of the {@code twinstep} command, apart from a guest's own exit status. */
public final class ExitCodes {
    /** The guest stopped without an exit status of its own (it halted for good, or shut down). */
    public static final int OK = 0;
    /** Bad input: options, files, images. */
    public static final int USAGE = 2;
    /** A bug in Twinstep. */
    public static final int INTERNAL = 3;

    private ExitCodes() {
    }
}
