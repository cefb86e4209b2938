package dev.twinstep.core.machine;

import dev.twinstep.core.clock.ClockMode;

/**
 * How to build a {@link Machine}.
 *
 * @param ramBytes          guest RAM, a multiple of 4 KiB
 * @param sliceInstructions the most instructions the CPU runs between two looks at timers, I/O events,
 *                          pause and stop requests (a timer deadline cuts a slice shorter)
 * @param clockMode         how virtual time advances
 * @param icountPeriodNanos virtual ns per instruction in {@link ClockMode#ICOUNT} mode
 */
public record MachineConfig(long ramBytes, long sliceInstructions, ClockMode clockMode, long icountPeriodNanos) {
    public static final long DEFAULT_RAM_BYTES = 128L * 1024 * 1024;
    public static final long DEFAULT_SLICE_INSTRUCTIONS = 1_000_000;
    /** 4 ns per instruction: a 250 MIPS virtual CPU, about what the interpreter runs at. */
    public static final long DEFAULT_ICOUNT_PERIOD_NANOS = 4;

    public MachineConfig {
        if (sliceInstructions <= 0) {
            throw new IllegalArgumentException("sliceInstructions must be positive, got " + sliceInstructions);
        }
        if (icountPeriodNanos <= 0) {
            throw new IllegalArgumentException("icountPeriodNanos must be positive, got " + icountPeriodNanos);
        }
        if (clockMode == null) {
            throw new IllegalArgumentException("clockMode is required");
        }
    }

    /** A realtime-clock PC with the given RAM and slice. */
    public MachineConfig(long ramBytes, long sliceInstructions) {
        this(ramBytes, sliceInstructions, ClockMode.REALTIME, DEFAULT_ICOUNT_PERIOD_NANOS);
    }

    /** A PC with {@code ramBytes} of RAM, the default slice and a realtime clock. */
    public static MachineConfig withRam(long ramBytes) {
        return new MachineConfig(ramBytes, DEFAULT_SLICE_INSTRUCTIONS);
    }

    /** This configuration with another clock mode. */
    public MachineConfig withClock(ClockMode mode) {
        return new MachineConfig(ramBytes, sliceInstructions, mode, icountPeriodNanos);
    }
}
