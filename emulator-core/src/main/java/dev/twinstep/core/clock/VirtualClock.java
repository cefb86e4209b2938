package dev.twinstep.core.clock;

import java.util.function.LongSupplier;

/**
 * The machine's virtual clock in nanoseconds since power-on, and the timer events on it.
 *
 * <p>In {@link ClockMode#REALTIME} it follows the host monotonic clock but stands still while the
 * machine is paused. In {@link ClockMode#ICOUNT} it is {@code instructions x periodNanos} plus the
 * time an idle (halted) CPU skipped to reach its next deadline: it depends on nothing but the guest's
 * own execution, so runs repeat exactly.
 *
 * <p>Timers are few (a handful per device), so they are kept in a small array scanned linearly:
 * arming, cancelling and finding the next deadline allocate nothing. Machine thread only, except
 * {@link #pause()}/{@link #resume()} which the machine loop calls around a pause.
 */
public final class VirtualClock {
    /** The deadline value meaning "no timer armed". */
    public static final long NEVER = Long.MAX_VALUE;

    private final ClockMode mode;
    private final long periodNanos;
    private final LongSupplier instructions;
    private final long hostOrigin;

    private long pausedTotal;
    private long pausedAt = -1;
    private long skipped;

    private Timer[] timers = new Timer[8];
    private int timerCount;
    /** The deadline the current execute() slice was sized for; an earlier arming must cut it short. */
    private long sliceDeadline = NEVER;
    private boolean inSlice;
    private Runnable sliceInterrupter = () -> { };

    /**
     * @param instructions the CPU's retired-instruction count (read only in icount mode)
     * @param periodNanos  virtual ns per instruction in icount mode (at least 1)
     */
    public VirtualClock(ClockMode mode, long periodNanos, LongSupplier instructions) {
        if (periodNanos < 1) {
            throw new IllegalArgumentException("icount period must be at least 1 ns, got " + periodNanos);
        }
        this.mode = mode;
        this.periodNanos = periodNanos;
        this.instructions = instructions;
        this.hostOrigin = System.nanoTime();
    }

    /** The mode. */
    public ClockMode mode() {
        return mode;
    }

    /** Virtual ns per instruction in icount mode. */
    public long periodNanos() {
        return periodNanos;
    }

    /** Virtual nanoseconds since power-on. */
    public long nowNanos() {
        if (mode == ClockMode.ICOUNT) {
            return instructions.getAsLong() * periodNanos + skipped;
        }
        long host = pausedAt >= 0 ? pausedAt : System.nanoTime();
        return host - hostOrigin - pausedTotal;
    }

    /**
     * Restoring a snapshot: from now on {@link #nowNanos()} continues from {@code virtualNanos}. In
     * icount mode call it after the CPU's instruction count was restored, since time derives from it.
     */
    public void restoreNow(long virtualNanos) {
        if (mode == ClockMode.ICOUNT) {
            skipped = virtualNanos - instructions.getAsLong() * periodNanos;
        } else {
            pausedTotal += nowNanos() - virtualNanos;
        }
    }

    /** Creates a timer (not armed). */
    public Timer newTimer(String name, TimerCallback callback) {
        return new Timer(this, name, callback);
    }

    /** Stops realtime virtual time (icount time stops by itself when no instruction runs). */
    public void pause() {
        if (pausedAt < 0) {
            pausedAt = System.nanoTime();
        }
    }

    /** Lets realtime virtual time run again after {@link #pause()}. */
    public void resume() {
        if (pausedAt >= 0) {
            pausedTotal += System.nanoTime() - pausedAt;
            pausedAt = -1;
        }
    }

    /** Icount mode: an idle CPU jumps forward to {@code deadline} (no-op if that is not in the future). */
    public void skipTo(long deadline) {
        long now = nowNanos();
        if (mode == ClockMode.ICOUNT && deadline > now && deadline != NEVER) {
            skipped += deadline - now;
        }
    }

    /** The earliest armed deadline, or {@link #NEVER}. */
    public long nextDeadline() {
        long next = NEVER;
        for (int i = 0; i < timerCount; i++) {
            next = Math.min(next, timers[i].deadline);
        }
        return next;
    }

    /**
     * Runs the callback of every timer whose deadline has passed, earliest first; a callback may
     * re-arm its own or other timers (a re-armed timer that is already due again runs again).
     *
     * @return how many callbacks ran
     */
    public int runDueTimers() {
        int ran = 0;
        while (true) {
            long now = nowNanos();
            Timer due = null;
            for (int i = 0; i < timerCount; i++) {
                Timer t = timers[i];
                if (t.deadline <= now && (due == null || t.deadline < due.deadline)) {
                    due = t;
                }
            }
            if (due == null) {
                return ran;
            }
            disarm(due);
            due.callback.expired(due.deadline);
            ran++;
        }
    }

    /**
     * Tells the clock which deadline the CPU's next slice runs to, and how to cut the slice short
     * (set the CPU's stop flag) when a device arms an earlier timer in the middle of it.
     */
    public void beginSlice(long deadline, Runnable interrupter) {
        this.sliceDeadline = deadline;
        this.sliceInterrupter = interrupter;
        this.inSlice = true;
    }

    /** Ends the slice begun by {@link #beginSlice}. */
    public void endSlice() {
        this.sliceDeadline = NEVER;
        this.inSlice = false;
    }

    /** Icount mode: instructions to run from now until {@code deadline} is reached (at least 1). */
    public long instructionsUntil(long deadline) {
        long delta = deadline - nowNanos();
        if (delta <= 0) {
            return 1;
        }
        return Math.max(1, (delta + periodNanos - 1) / periodNanos);
    }

    void arm(Timer timer, long deadline) {
        timer.deadline = deadline;
        if (!timer.armed) {
            if (timerCount == timers.length) {
                timers = java.util.Arrays.copyOf(timers, timerCount * 2);
            }
            timers[timerCount++] = timer;
            timer.armed = true;
        }
        if (inSlice && deadline < sliceDeadline) {
            sliceDeadline = deadline;
            sliceInterrupter.run();
        }
    }

    void disarm(Timer timer) {
        if (!timer.armed) {
            return;
        }
        for (int i = 0; i < timerCount; i++) {
            if (timers[i] == timer) {
                timers[i] = timers[--timerCount];
                timers[timerCount] = null;
                break;
            }
        }
        timer.armed = false;
    }
}
