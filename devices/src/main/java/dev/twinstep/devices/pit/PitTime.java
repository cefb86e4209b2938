package dev.twinstep.devices.pit;

/** Conversions between virtual nanoseconds and ticks of the PIT's 1.193182 MHz input clock. */
final class PitTime {
    static final long FREQUENCY_HZ = 1_193_182;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private PitTime() {
    }

    /** Whole ticks elapsed at {@code nanos} (split so that hours of uptime do not overflow). */
    static long ticksAt(long nanos) {
        return (nanos / NANOS_PER_SECOND) * FREQUENCY_HZ + (nanos % NANOS_PER_SECOND) * FREQUENCY_HZ / NANOS_PER_SECOND;
    }

    /** The first nanosecond at which {@code ticks} have elapsed. */
    static long nanosAt(long ticks) {
        long seconds = ticks / FREQUENCY_HZ;
        long rest = ticks % FREQUENCY_HZ;
        return seconds * NANOS_PER_SECOND + (rest * NANOS_PER_SECOND + FREQUENCY_HZ - 1) / FREQUENCY_HZ;
    }
}
