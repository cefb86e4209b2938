package dev.twinstep.tools;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.devices.storage.AtaChannel;
import java.util.Objects;

/**
 * The PC that {@code twinstep run} builds, for code that needs one without the command line
 * (benchmarks, tests): the same platform wiring ({@code PcPlatform}: PIC pair, LAPIC, IOAPIC, MP
 * tables, PIT, i8042, port 0x92, RTC, COM1, isa-debug-exit, PCI bus), then the primary IDE channel
 * and, when asked for, the virtio-net NIC, attached in the order {@code run} attaches them, so that
 * snapshots and checkpoints of one load into the other.
 *
 * <p>What the command line offers beyond that (a second serial line, {@code --drive} images, host
 * network back ends that need starting) stays with {@code run}; here COM2 is absent and the IDE
 * channel has no drive, as in {@code twinstep run} without {@code --drive} and with one
 * {@code --serial}.
 */
public final class Pc {
    private Pc() {
    }

    /**
     * A new machine wired as {@code twinstep run} wires it without {@code --netdev}: no NIC.
     *
     * @param com1 COM1's back end; the caller keeps and closes it
     */
    public static Machine build(MachineConfig config, SerialBackend com1) {
        Machine machine = new Machine(config);
        attachIde(machine, PcPlatform.attach(machine, Objects.requireNonNull(com1, "com1"), null));
        return machine;
    }

    /**
     * A new machine wired as {@code twinstep run --netdev ...} wires it: a virtio-net NIC in slot 3
     * transmits into {@code nic}. The back end is not started (a {@code none} back end needs no start).
     *
     * @param com1 COM1's back end; the caller keeps and closes it
     * @param nic  what the NIC transmits into and receives from; the caller keeps and closes it
     */
    public static Machine build(MachineConfig config, SerialBackend com1, NetBackend nic) {
        Objects.requireNonNull(nic, "nic");
        Machine machine = new Machine(config);
        PcPlatform platform = PcPlatform.attach(machine, Objects.requireNonNull(com1, "com1"), null);
        attachIde(machine, platform);
        platform.attachVirtioNet(machine, nic);
        return machine;
    }

    /** The primary channel with no drive: {@code run} always has one, whose ports then read as empty. */
    private static void attachIde(Machine machine, PcPlatform platform) {
        machine.addDevice(new AtaChannel(null, null, platform.isaIrq(AtaChannel.PRIMARY_IRQ)));
    }
}
