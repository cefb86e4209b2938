package dev.twinstep.core.machine;

/**
 * How to build a {@link Machine}.
 *
 * @param ramBytes         guest RAM, a multiple of 4 KiB
 * @param sliceInstructions how many instructions the CPU runs between two looks at pause and stop
 *                          requests when nothing else makes it return (it also returns on its own when
 *                          {@code stopRequested} is set, so this only bounds the work per call)
 */
public record MachineConfig(long ramBytes, long sliceInstructions) {
    public static final long DEFAULT_RAM_BYTES = 128L * 1024 * 1024;
    public static final long DEFAULT_SLICE_INSTRUCTIONS = 1_000_000;

    public MachineConfig {
        if (sliceInstructions <= 0) {
            throw new IllegalArgumentException("sliceInstructions must be positive, got " + sliceInstructions);
        }
    }

    /** A PC with {@code ramBytes} of RAM and the default slice. */
    public static MachineConfig withRam(long ramBytes) {
        return new MachineConfig(ramBytes, DEFAULT_SLICE_INSTRUCTIONS);
    }
}
