package dev.twinstep.core.clock;

/** How virtual time advances: with the host's monotonic clock, or with retired instructions. */
public enum ClockMode {
    /** Virtual time tracks the host monotonic clock (minus the time spent paused). */
    REALTIME,
    /** Virtual ns = instructions x a fixed period (+ time skipped while idle): fully deterministic. */
    ICOUNT
}
