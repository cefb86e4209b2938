package dev.twinstep.devices.pic;

import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.cpu.InterruptSource;
import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;

/**
 * The PC's cascaded 8259A pair: master at 0x20/0x21 (IRQ 0-7), slave at 0xA0/0xA1 (IRQ 8-15) on the
 * master's IRQ 2, and the edge/level control registers at 0x4D0/0x4D1. It is the CPU's
 * {@link InterruptSource}: the INTA cycle ({@link #acknowledge()}) returns the vector, or the
 * spurious IRQ 7 (15) vector when the request went away. Devices drive {@link #irq(int)} lines.
 * Machine thread only.
 */
public final class PicPair implements MachineDevice, InterruptSource, Stateful {
    public static final int MASTER_PORT = 0x20;
    public static final int SLAVE_PORT = 0xA0;
    public static final int ELCR_PORT = 0x4D0;
    private static final int CASCADE_IRQ = 2;

    private final Pic8259 master = new Pic8259(true, 0xF8);
    private final Pic8259 slave = new Pic8259(false, 0xDE);
    private final IrqLine[] lines = new IrqLine[16];
    /** The master's INT output, cached because the CPU asks at every block boundary. */
    private boolean intOutput;

    public PicPair() {
        for (int irq = 0; irq < 16; irq++) {
            int n = irq;
            lines[irq] = level -> setIrq(n, level);
        }
        reset();
    }

    /** The input line for ISA IRQ {@code irq} (0-15). */
    public IrqLine irq(int irq) {
        return lines[irq];
    }

    @Override
    public String name() {
        return "pic";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        io.register(MASTER_PORT, 2, chipPorts(master), "pic-master");
        io.register(SLAVE_PORT, 2, chipPorts(slave), "pic-slave");
        io.register(ELCR_PORT, 2, new IoPortHandler() {
            @Override
            public int ioRead(int offset, int size) {
                return (offset == 0 ? master : slave).levelTriggered;
            }

            @Override
            public void ioWrite(int offset, int size, int value) {
                (offset == 0 ? master : slave).writeElcr(value);
                update();
            }
        }, "elcr");
    }

    private IoPortHandler chipPorts(Pic8259 chip) {
        return new IoPortHandler() {
            @Override
            public int ioRead(int offset, int size) {
                if (chip.pollPending) {
                    return poll(chip);
                }
                return offset == 0 ? chip.readStatus() : chip.imr;
            }

            @Override
            public void ioWrite(int offset, int size, int value) {
                if (offset == 0) {
                    chip.writeCommand(value & 0xFF);
                } else {
                    chip.writeData(value & 0xFF);
                }
                update();
            }
        };
    }

    @Override
    public void reset() {
        master.reset();
        slave.reset();
        intOutput = false;
    }

    /** Drives ISA IRQ {@code irq} (0-15). */
    public void setIrq(int irq, boolean high) {
        if (irq < 8) {
            master.setLine(irq, high);
        } else {
            slave.setLine(irq - 8, high);
        }
        update();
    }

    @Override
    public boolean hasPendingInterrupt() {
        return intOutput;
    }

    @Override
    public int acknowledge() {
        int irq = master.pendingIrq();
        int vector;
        if (irq < 0) {
            vector = master.vectorBase + 7;
        } else {
            master.acknowledge(irq);
            if (irq == CASCADE_IRQ) {
                int slaveIrq = slave.pendingIrq();
                if (slaveIrq < 0) {
                    vector = slave.vectorBase + 7;
                } else {
                    slave.acknowledge(slaveIrq);
                    vector = slave.vectorBase + slaveIrq;
                }
            } else {
                vector = master.vectorBase + irq;
            }
        }
        update();
        return vector;
    }

    /** The poll command: the next read acts as an INTA and returns 0x80 | irq, or 0 for none. */
    private int poll(Pic8259 chip) {
        chip.pollPending = false;
        int irq = chip.pendingIrq();
        if (irq < 0) {
            return 0;
        }
        chip.acknowledge(irq);
        update();
        return 0x80 | irq;
    }

    /** Propagates the slave's output to the master's cascade input and caches the master's output. */
    private void update() {
        master.setLine(CASCADE_IRQ, slave.pendingIrq() >= 0);
        intOutput = master.pendingIrq() >= 0;
    }

    /** IRR of both chips (bit n = IRQ n); for tests and diagnostics. */
    @Override
    public String sectionName() {
        return "pic";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    @Override
    public void save(StateWriter out) {
        master.save(out);
        slave.save(out);
    }

    /** Restores both chips; the INT output to the CPU is recomputed from them, never trusted. */
    @Override
    public void load(StateReader in, int version) {
        master.load(in, "pic master");
        slave.load(in, "pic slave");
        update();
    }

    public int requestRegister() {
        return master.irr | slave.irr << 8;
    }

    /** ISR of both chips; for tests and diagnostics. */
    public int inServiceRegister() {
        return master.isr | slave.isr << 8;
    }
}
