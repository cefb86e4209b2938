package dev.twinstep.core.machine;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;

/**
 * A device as the machine sees it: it claims its ports (and later MMIO and interrupt lines) when
 * attached, and can be reset. The machine never names a concrete device class; the tools wire them.
 * Every method runs on the machine thread.
 */
public interface MachineDevice {
    /** A short name for diagnostics, e.g. "serial0". */
    String name();

    /** Registers the device's ports with {@code io}; DMA, if any, goes through {@code memory}. */
    void attach(IoBus io, GuestMemory memory);

    /** Returns the device to its power-on state. */
    default void reset() {
    }

    /** Called when a run ends, so that output the device buffered reaches its host back end. */
    default void flush() {
    }
}
