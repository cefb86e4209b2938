package dev.twinstep.core.machine;

/**
 * What a run cost: instructions retired and wall-clock time spent running (time spent paused is not
 * counted).
 */
public record RunStats(long instructions, long runNanos) {
    /** Millions of instructions per second of running time; 0 when no time passed. */
    public double mips() {
        return runNanos <= 0 ? 0 : instructions * 1000.0 / runNanos;
    }

    public double seconds() {
        return runNanos / 1e9;
    }

    /** One line for humans, e.g. "instructions 1234567, wall time 0.123 s, 10.04 MIPS". */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "instructions %d, wall time %.3f s, %.2f MIPS",
                instructions, seconds(), mips());
    }
}
