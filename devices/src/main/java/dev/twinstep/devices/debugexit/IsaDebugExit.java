package dev.twinstep.devices.debugexit;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.cpu.MachineHalt;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;

/**
 * QEMU's {@code isa-debug-exit}: a write of {@code v} to its port ends the machine with exit status
 * {@code (v << 1) | 1}, so a guest can report success or failure to the host. Reads return all ones
 * (QEMU's device has no read handler). Any access width is taken; the value is the whole write, as
 * QEMU passes it.
 */
public final class IsaDebugExit implements MachineDevice, IoPortHandler {
    /** The iobase and iosize tests and guests use: {@code -device isa-debug-exit,iobase=0xf4,iosize=0x04}. */
    public static final int DEFAULT_PORT = 0xF4;
    public static final int DEFAULT_PORT_COUNT = 4;

    private final int basePort;
    private final int portCount;

    public IsaDebugExit(int basePort, int portCount) {
        this.basePort = basePort;
        this.portCount = portCount;
    }

    /** At 0xF4, four ports wide. */
    public static IsaDebugExit standard() {
        return new IsaDebugExit(DEFAULT_PORT, DEFAULT_PORT_COUNT);
    }

    /** The exit status a guest write of {@code value} produces (may exceed 255; a host shell sees the low byte). */
    public static int exitStatus(int value) {
        return (value << 1) | 1;
    }

    @Override
    public String name() {
        return "isa-debug-exit";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        io.register(basePort, portCount, this, name());
    }

    @Override
    public int ioRead(int offset, int size) {
        return 0xFFFFFFFF;
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        int status = exitStatus(value);
        throw new MachineHalt(MachineHalt.Kind.GUEST_EXIT, status,
                String.format("guest wrote 0x%x to isa-debug-exit: exit status %d", value, status));
    }
}
