package dev.twinstep.core.cpu;

/**
 * Why the CPU stopped running for good: a triple fault (shutdown), or a request from a device
 * (isa-debug-exit) or the host. Thrown out of the execution loop; not a guest exception.
 */
public final class MachineHalt extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind { GUEST_EXIT, SHUTDOWN, HOST_STOP }

    public final Kind kind;
    public final int exitStatus;

    public MachineHalt(Kind kind, int exitStatus, String diagnosis) {
        super(diagnosis, null, false, false);
        this.kind = kind;
        this.exitStatus = exitStatus;
    }
}
