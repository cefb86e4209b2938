package dev.twinstep.devices.i8042;

/** The CPU reset line a chipset device can pull (the machine ends or restarts the run). */
@FunctionalInterface
public interface ResetLine {
    /** Requests a system reset. Machine thread. */
    void pulse();
}
