package dev.twinstep.core.boot;

/**
 * One piece of a kernel to place in guest-physical memory: {@code fileSize} bytes from the image at
 * {@code fileOffset} go to {@code physicalAddress}, and the rest up to {@code memorySize} is zeroed
 * (bss). Addresses and sizes are unsigned 32-bit values held in longs.
 */
public record LoadSegment(long physicalAddress, long fileOffset, long fileSize, long memorySize) {
    public long end() {
        return physicalAddress + memorySize;
    }
}
