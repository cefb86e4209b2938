package dev.twinstep.core.cpu;

/**
 * How an interrupt controller (the PIC pair, later the LAPIC) offers external interrupts to the CPU.
 * The CPU polls {@link #hasPendingInterrupt()} at block boundaries when EFLAGS.IF is set and, when it
 * accepts, calls {@link #acknowledge()} for the vector (the INTA cycle).
 */
public interface InterruptSource {
    InterruptSource NONE = new InterruptSource() {
        @Override
        public boolean hasPendingInterrupt() {
            return false;
        }

        @Override
        public int acknowledge() {
            return -1;
        }
    };

    boolean hasPendingInterrupt();

    /** Returns the vector to deliver (0-255). */
    int acknowledge();
}
