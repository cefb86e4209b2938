package dev.twinstep.colo.state;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.devices.storage.DiskImage;
import java.util.List;

/**
 * What replication copies: a machine and the disk images behind its controllers, in drive order.
 * Both ends of a replication connection must describe themselves the same way ({@link #describe()}).
 */
public record ReplicatedMachine(Machine machine, List<DiskImage> disks) {
    /** @param disks the images in drive order (index 0 first); copied */
    public ReplicatedMachine {
        disks = List.copyOf(disks);
    }

    /**
     * The shape both ends must share: the machine's configuration fingerprint and each disk's size.
     * Host paths are not part of it: a replica has its own image files.
     */
    public String describe() {
        StringBuilder text = new StringBuilder(machine.configurationFingerprint()).append(";disks=");
        for (int i = 0; i < disks.size(); i++) {
            text.append(i == 0 ? "" : ",").append(disks.get(i).sectorCount()).append(" sectors");
        }
        return text.toString();
    }
}
