package dev.twinstep.tools;

import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.devices.storage.AtaChannel;
import dev.twinstep.devices.storage.DiskImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A PC as the command line asks for it: the machine with its platform devices, the IDE channel and
 * its images, the NIC and its host back end, the serial back ends. It owns the host resources and
 * closes them once. Used by {@code run}, {@code primary} and {@code secondary}.
 */
final class GuestMachine implements AutoCloseable {
    final Machine machine;
    final PcPlatform platform;
    private final SerialBackend com1;
    private final SerialBackend com2;
    final AtaChannel ide;
    private final NetdevOption netdev;
    /** The back end the user asked for (null without --netdev). */
    final NetBackend hostBackend;
    /** What the NIC transmits into: the host back end, or a wrapper around it (output commit, standby). */
    final NetBackend nicBackend;
    private boolean netReleased;
    private boolean closed;

    private GuestMachine(Machine machine, PcPlatform platform, SerialBackend com1, SerialBackend com2, AtaChannel ide,
            NetdevOption netdev, NetBackend hostBackend, NetBackend nicBackend) {
        this.machine = machine;
        this.platform = platform;
        this.com1 = com1;
        this.com2 = com2;
        this.ide = ide;
        this.netdev = netdev;
        this.hostBackend = hostBackend;
        this.nicBackend = nicBackend;
    }

    /**
     * Wires the platform, the drives and the NIC onto {@code machine}. The serial back ends are owned
     * from here on (closed on failure too). The network back end is created but not started.
     *
     * @param wrapNet what the NIC gets in front of the host back end (identity for plain runs)
     */
    static GuestMachine assemble(Machine machine, SerialBackend com1, SerialBackend com2, List<DriveOption> drives,
            NetdevOption netdev, UnaryOperator<NetBackend> wrapNet) throws UsageException {
        AtaChannel ide = null;
        NetBackend host = null;
        try {
            PcPlatform platform = PcPlatform.attach(machine, com1, com2);
            ide = DriveOption.openPrimaryChannel(drives, platform.isaIrq(AtaChannel.PRIMARY_IRQ));
            machine.addDevice(ide);
            NetBackend nic = null;
            if (netdev != null) {
                host = netdev.create();
                nic = wrapNet.apply(host);
                platform.attachVirtioNet(machine, nic);
            }
            return new GuestMachine(machine, platform, com1, com2, ide, netdev, host, nic);
        } catch (UsageException | RuntimeException e) {
            if (host != null) {
                host.close();
            }
            if (ide != null) {
                ide.close();
            }
            com1.close();
            if (com2 != null) {
                com2.close();
            }
            throw e;
        }
    }

    /** The disk images in drive order, for replication. */
    List<DiskImage> disks() {
        List<DiskImage> disks = new ArrayList<>();
        for (int index = 0; index < 2; index++) {
            DiskImage image = ide.image(index);
            if (image != null) {
                disks.add(image);
            }
        }
        return disks;
    }

    /** The machine and its disks as replication sees them. */
    ReplicatedMachine replica() {
        return new ReplicatedMachine(machine, disks());
    }

    /** Starts the host back end (binds, listens or connects); a busy port is the user's to fix. */
    void startNet() throws UsageException {
        if (netdev != null) {
            netdev.start(nicBackend);
        }
    }

    /**
     * Releases the guest's network endpoint (the host port of {@code user} forwarding, the TAP, the
     * stream socket), so that another process can take it over. Idempotent.
     */
    synchronized void releaseNet() {
        if (!netReleased && nicBackend != null) {
            netReleased = true;
            nicBackend.close();
        }
    }

    /** The --netdev option as written, or null. */
    NetdevOption netdev() {
        return netdev;
    }

    /** Closes every host resource once: the NIC back end, serial lines, disk images. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseNet();
        com1.close();
        if (com2 != null) {
            com2.close();
        }
        ide.close();
    }
}
