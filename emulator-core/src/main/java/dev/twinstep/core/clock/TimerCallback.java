package dev.twinstep.core.clock;

/** What a {@link Timer} does when its deadline is reached. Runs on the machine thread. */
@FunctionalInterface
public interface TimerCallback {
    /**
     * @param deadline the virtual time the timer was due at (never later than the clock's now), so
     *                 periodic devices can re-arm from the ideal time and never drift
     */
    void expired(long deadline);
}
