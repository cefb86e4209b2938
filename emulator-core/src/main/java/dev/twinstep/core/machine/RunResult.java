package dev.twinstep.core.machine;

/**
 * How a run ended.
 *
 * @param outcome    why the machine stopped
 * @param exitStatus the guest's exit status (isa-debug-exit's (v << 1) | 1), or 0 for other endings
 * @param diagnosis  one line that says what happened, for the user
 * @param stats      instructions and time
 */
public record RunResult(Outcome outcome, int exitStatus, String diagnosis, RunStats stats) {
    /** Why a run ended. */
    public enum Outcome {
        /** A device (isa-debug-exit) ended the run with a status. */
        GUEST_EXIT,
        /** The CPU halted and nothing can wake it. */
        HALTED,
        /** The CPU shut down (triple fault). */
        SHUTDOWN,
        /** The host asked the machine to stop. */
        HOST_STOP,
        /** The guest pulled the reset line (i8042 0xFE, port 0x92); a reboot is not emulated yet. */
        RESET
    }
}
