package dev.twinstep.devices.i8042;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.devices.state.StateChecks;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;

/**
 * Port 0x92, system control port A ("fast A20"): bit 1 opens the A20 gate, a 0-to-1 change of bit 0
 * resets the CPU. Both this port and the i8042 output port drive the same gate; the last write wins.
 */
public final class SystemControlPortA implements MachineDevice, IoPortHandler, Stateful {
    public static final int PORT = 0x92;
    private static final int FAST_RESET = 0x01, A20 = 0x02;

    private final ResetLine reset;
    private GuestMemory memory;
    private int value;

    public SystemControlPortA(ResetLine reset) {
        this.reset = reset;
    }

    @Override
    public String name() {
        return "port92";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        this.memory = memory;
        io.register(PORT, 1, this, "port92");
        value = memory.isA20Enabled() ? A20 : 0;
    }

    @Override
    public void reset() {
        value = memory == null || memory.isA20Enabled() ? A20 : 0;
    }

    @Override
    public int ioRead(int offset, int size) {
        return (value & ~A20) | (memory != null && memory.isA20Enabled() ? A20 : 0);
    }

    @Override
    public void ioWrite(int offset, int size, int written) {
        written &= 0xFF;
        boolean resetEdge = (value & FAST_RESET) == 0 && (written & FAST_RESET) != 0;
        value = written;
        memory.setA20Enabled((written & A20) != 0);
        if (resetEdge) {
            reset.pulse();
        }
    }

    @Override
    public String sectionName() {
        return "port92";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /** Saves the latched value; its fast-reset bit decides whether the next write is a reset edge. */
    @Override
    public void save(StateWriter out) {
        out.putByte(value);
    }

    /** Restores the latch only: loading never pulses reset, and A20 is restored with guest memory. */
    @Override
    public void load(StateReader in, int version) {
        value = StateChecks.bits("port92", "value", in.getByte(), 8);
    }
}
