package dev.twinstep.core.memory;

/** A device region in the physical address space. Offsets are relative to the region's base. */
public interface MmioHandler {
    /** @param size 1, 2 or 4 bytes; returns the value zero-extended */
    int mmioRead(int offset, int size);

    void mmioWrite(int offset, int size, int value);
}
