package dev.twinstep.core.cpu.blackbox;

import dev.twinstep.core.cpu.Cpu;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Stops a CPU that runs too long, so that a test whose program never returns from
 * {@link Cpu#execute} (an endless exception loop, a jump to itself) fails instead of hanging the build.
 * It sets {@link Cpu#stopRequested}, which execute() honours at the next block boundary.
 */
public final class CpuWatchdog implements AutoCloseable {
    private static final long POLL_NANOS = 20_000_000L;

    private final Cpu cpu;
    private final long limitNanos;
    private final Thread thread;
    private volatile long deadline = Long.MAX_VALUE;
    private volatile boolean fired;
    private volatile boolean closed;

    /** Starts watching; the CPU may run at most {@code limit} between {@link #arm()} and {@link #disarm()}. */
    public CpuWatchdog(Cpu cpu, Duration limit) {
        this.cpu = cpu;
        this.limitNanos = limit.toNanos();
        this.thread = new Thread(this::watch, "cpu-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts the clock for one run. */
    public void arm() {
        cpu.stopRequested = false;
        fired = false;
        deadline = System.nanoTime() + limitNanos;
        LockSupport.unpark(thread);
    }

    /** Stops the clock and says whether the run was cut short. */
    public boolean disarm() {
        deadline = Long.MAX_VALUE;
        cpu.stopRequested = false;
        return fired;
    }

    /** Whether the current run has been stopped. */
    public boolean fired() {
        return fired;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }

    private void watch() {
        while (!closed) {
            if (deadline == Long.MAX_VALUE) {
                LockSupport.park(this); // idle between runs: costs nothing
                continue;
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (System.nanoTime() - deadline > 0) {
                fired = true;
                cpu.stopRequested = true;
            }
        }
    }
}
