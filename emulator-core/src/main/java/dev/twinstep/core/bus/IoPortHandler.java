package dev.twinstep.core.bus;

/** A device's I/O ports. The offset is relative to the first port the device registered. */
public interface IoPortHandler {
    /** @param size 1, 2 or 4; returns the value in the low {@code size} bytes */
    int ioRead(int offset, int size);

    void ioWrite(int offset, int size, int value);
}
