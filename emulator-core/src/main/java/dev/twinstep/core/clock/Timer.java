package dev.twinstep.core.clock;

/**
 * One timer event on a {@link VirtualClock}: a device keeps one instance per timer it needs and arms
 * or cancels it as often as it likes (arming allocates nothing). Machine thread only.
 */
public final class Timer {
    final VirtualClock clock;
    final TimerCallback callback;
    final String name;
    long deadline;
    boolean armed;

    Timer(VirtualClock clock, String name, TimerCallback callback) {
        this.clock = clock;
        this.name = name;
        this.callback = callback;
    }

    /** Fires the callback once virtual time reaches {@code deadline} (ns); replaces an earlier arming. */
    public void armAt(long deadline) {
        clock.arm(this, deadline);
    }

    /** Fires {@code delay} ns from now. */
    public void armIn(long delay) {
        clock.arm(this, clock.nowNanos() + Math.max(0, delay));
    }

    /** Cancels the timer; harmless when it is not armed. */
    public void cancel() {
        clock.disarm(this);
    }

    /** Whether it is armed. */
    public boolean isArmed() {
        return armed;
    }

    /** The deadline it is armed for (meaningless when not armed). */
    public long deadline() {
        return deadline;
    }

    @Override
    public String toString() {
        return name + (armed ? "@" + deadline : " (idle)");
    }
}
