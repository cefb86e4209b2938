package dev.twinstep.core.boot;

/**
 * What a loader did: the kernel's entry point, the physical range it occupies, where the multiboot
 * information is, and the command line the kernel was given.
 */
public record BootInfo(int entry, long kernelLow, long kernelHigh, int infoAddress, String cmdline) {
}
