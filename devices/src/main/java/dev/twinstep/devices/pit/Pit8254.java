package dev.twinstep.devices.pit;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.devices.state.StateChecks;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.clock.Timer;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;

/**
 * The 8254 programmable interval timer at 0x40-0x43, clocked at 1.193182 MHz of virtual time, and
 * port 0x61 (system control port B: channel 2's gate and output, the speaker data bit, the refresh
 * toggle). Channel 0's output drives IRQ 0; a timer on the {@link VirtualClock} fires at each of its
 * transitions, so nothing is polled per instruction. The speaker itself makes no sound.
 */
public final class Pit8254 implements MachineDevice, Stateful {
    public static final int BASE_PORT = 0x40;
    public static final int PORT_B = 0x61;
    private static final int PORT_B_GATE2 = 0x01, PORT_B_SPEAKER_DATA = 0x02, PORT_B_REFRESH = 0x10, PORT_B_OUT2 = 0x20;
    /** DRAM refresh requests come every 15.085 us; bit 4 of port 0x61 toggles with them. */
    private static final long REFRESH_NANOS = 15_085;

    private final VirtualClock clock;
    private final IrqLine irq0;
    private final PitChannel[] channels = {new PitChannel(), new PitChannel(), new PitChannel()};
    private final Timer channel0Timer;
    private int portB;
    private boolean irqLevel;

    public Pit8254(VirtualClock clock, IrqLine irq0) {
        this.clock = clock;
        this.irq0 = irq0;
        this.channel0Timer = clock.newTimer("pit-ch0", this::channel0Transition);
        reset();
    }

    @Override
    public String name() {
        return "pit";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        io.register(BASE_PORT, 4, new IoPortHandler() {
            @Override
            public int ioRead(int offset, int size) {
                return offset == 3 ? 0xFF : channels[offset].readData(now());
            }

            @Override
            public void ioWrite(int offset, int size, int value) {
                if (offset == 3) {
                    writeControl(value & 0xFF);
                } else {
                    writeCount(offset, value);
                }
            }
        }, "pit");
        io.register(PORT_B, 1, new IoPortHandler() {
            @Override
            public int ioRead(int offset, int size) {
                return readPortB();
            }

            @Override
            public void ioWrite(int offset, int size, int value) {
                writePortB(value);
            }
        }, "port61");
    }

    @Override
    public void reset() {
        channel0Timer.cancel();
        for (int i = 0; i < 3; i++) {
            channels[i].reset(i != 2);
        }
        portB = 0;
        setIrq(false);
    }

    private long now() {
        return PitTime.ticksAt(clock.nowNanos());
    }

    private void writeControl(int value) {
        int select = value >>> 6;
        long now = now();
        if (select == 3) {
            readBack(value, now);
            return;
        }
        PitChannel channel = channels[select];
        if (((value >>> 4) & 3) == PitChannel.ACCESS_LATCH) {
            channel.latchCount(now);
            return;
        }
        channel.program(value);
        if (select == 0) {
            // IRQ 0 keeps its level until a count is loaded, as on QEMU.
            channel0Timer.cancel();
        }
    }

    /** The read-back command: bit 5 clear latches counts, bit 4 clear latches status, bits 1-3 pick channels. */
    private void readBack(int value, long now) {
        for (int i = 0; i < 3; i++) {
            if ((value & (2 << i)) == 0) {
                continue;
            }
            if ((value & 0x20) == 0) {
                channels[i].latchCount(now);
            }
            if ((value & 0x10) == 0) {
                channels[i].latchStatus(now);
            }
        }
    }

    private void writeCount(int index, int value) {
        long now = now();
        if (channels[index].writeData(value, now) && index == 0) {
            updateChannel0(now);
        }
    }

    /** Sets IRQ 0 to channel 0's output now and arms the timer for its next transition. */
    private void updateChannel0(long now) {
        PitChannel channel = channels[0];
        setIrq(channel.output(now));
        long next = channel.nextTransition(now);
        if (next < 0) {
            channel0Timer.cancel();
        } else {
            channel0Timer.armAt(PitTime.nanosAt(next));
        }
    }

    /**
     * Evaluated at the transition tick itself rather than at the (possibly later) current time, so a
     * late run still delivers every edge in order and the period never drifts.
     */
    private void channel0Transition(long deadline) {
        long tick = PitTime.ticksAt(deadline);
        PitChannel channel = channels[0];
        setIrq(channel.output(tick));
        long next = channel.nextTransition(tick);
        if (next >= 0) {
            channel0Timer.armAt(PitTime.nanosAt(next));
        }
    }

    private void setIrq(boolean level) {
        if (level != irqLevel) {
            irqLevel = level;
            irq0.setLevel(level);
        }
    }

    private int readPortB() {
        long nanos = clock.nowNanos();
        boolean out2 = channels[2].output(PitTime.ticksAt(nanos));
        boolean refresh = (nanos / REFRESH_NANOS & 1) != 0;
        return (portB & 0x0F) | (refresh ? PORT_B_REFRESH : 0) | (out2 ? PORT_B_OUT2 : 0);
    }

    private void writePortB(int value) {
        portB = value & 0x0F;
        channels[2].setGate((value & PORT_B_GATE2) != 0, now());
    }

    /** Whether the speaker data bit is on (no sound is produced); for tests. */
    @Override
    public String sectionName() {
        return "pit";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /** Counter ticks are absolute on the virtual clock, which is saved in its own section. */
    @Override
    public void save(StateWriter out) {
        for (PitChannel channel : channels) {
            channel.save(out);
        }
        out.putByte(portB);
        out.putBoolean(irqLevel);
        out.putBoolean(channel0Timer.isArmed());
        out.putLong(channel0Timer.isArmed() ? channel0Timer.deadline() : 0);
    }

    /** Restores the channels, re-arms channel 0 at its saved deadline and re-drives IRQ 0. */
    @Override
    public void load(StateReader in, int version) {
        for (int i = 0; i < channels.length; i++) {
            channels[i].load(in, "pit channel " + i);
        }
        portB = StateChecks.bits("pit", "port B", in.getByte(), 4);
        boolean level = in.getBoolean();
        boolean armed = in.getBoolean();
        long deadline = StateChecks.nonNegative("pit", "channel 0 deadline", in.getLong());
        if (armed) {
            channel0Timer.armAt(deadline);
        } else {
            channel0Timer.cancel();
        }
        irqLevel = level;
        irq0.setLevel(level);
    }

    public boolean speakerDataEnabled() {
        return (portB & PORT_B_SPEAKER_DATA) != 0;
    }
}
