package dev.twinstep.colo.sync;

import dev.twinstep.colo.state.DiskSyncer;
import dev.twinstep.colo.state.EpochStage;
import dev.twinstep.colo.state.PrecopyReceiver;
import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.GuestShutdownException;
import dev.twinstep.colo.wire.ProtocolException;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.state.StateFormatException;
import java.io.IOException;

/**
 * The receiving end of a {@link SyncSource} and of later checkpoints: applies pre-copy batches as
 * they come, and each checkpoint only when it arrived whole, verified and validated. The machine
 * must not be running meanwhile (this thread is its only user).
 */
public final class SyncTarget {
    private final ReplicatedMachine replica;
    private final ReplicationChannel channel;
    private final PrecopyReceiver precopy;
    private final EpochStage stage;
    private final DiskSyncer precopySyncer;

    /** A target writing into {@code replica}; zeroes its RAM, since the source skips zero pages. */
    public SyncTarget(ReplicatedMachine replica, ReplicationChannel channel) {
        this.replica = replica;
        this.channel = channel;
        this.precopy = new PrecopyReceiver(replica);
        this.stage = new EpochStage(replica);
        this.precopySyncer = new DiskSyncer(replica.disks());
        precopy.clearRam();
        warmUpDeviceState();
    }

    /**
     * Saves the machine's own device state and loads it back (a no-op for the machine) so that the
     * snapshot parser and every device's load code are loaded and linked before the final epoch,
     * whose application is part of the guest's downtime.
     */
    private void warmUpDeviceState() {
        try {
            java.io.ByteArrayOutputStream own = new java.io.ByteArrayOutputStream();
            replica.machine().saveDeviceState(own);
            replica.machine().loadDeviceState(own.toByteArray());
        } catch (IOException | RuntimeException e) {
            // Only a warm-up: the real epoch is checked in full anyway.
        }
    }

    /** The replica being written. */
    public ReplicatedMachine replica() {
        return replica;
    }

    /** Pages received by pre-copy so far. */
    public long precopyPages() {
        return precopy.pagesReceived();
    }

    /** Applies pre-copy batches until the stop-and-copy epoch is loaded; returns its epoch number. */
    public long receiveSync() throws IOException {
        while (true) {
            ColoMessage message = channel.readMessage();
            switch (message) {
                case RAM_BATCH -> precopy.receivePages(channel.in());
                case DISK_BATCH -> {
                    precopy.receiveSectors(channel.in());
                    // Pushed out while the copy goes on, not in the stop-and-copy (a cold 64 MiB
                    // image took tens of milliseconds to sync there).
                    precopySyncer.request();
                }
                case CHECKPOINT_REQUEST -> {
                    long epoch = channel.in().readLong();
                    precopySyncer.close();
                    receiveCheckpoint(epoch);
                    return epoch;
                }
                case GUEST_SHUTDOWN -> throw new GuestShutdownException((int) channel.in().readLong());
                default -> throw new ProtocolException("unexpected " + message + " during the sync");
            }
        }
    }

    /**
     * The rest of a checkpoint transaction after its {@link ColoMessage#CHECKPOINT_REQUEST}: reply,
     * stage the whole epoch, verify and validate it, acknowledge receipt, apply, acknowledge loading.
     * A bad epoch is refused with {@link ColoMessage#ERROR} and nothing of it is applied.
     */
    public void receiveCheckpoint(long epoch) throws IOException {
        channel.send(ColoMessage.CHECKPOINT_REPLY, epoch);
        ColoMessage next = channel.readMessage();
        if (next == ColoMessage.GUEST_SHUTDOWN) {
            // The guest ended while the primary was requesting this checkpoint: no epoch follows.
            throw new GuestShutdownException((int) channel.in().readLong());
        }
        if (next != ColoMessage.VMSTATE_SEND) {
            throw new ProtocolException("expected VMSTATE_SEND, got " + next);
        }
        try {
            stage.receive(channel.in());
            stage.validate();
        } catch (ProtocolException | StateFormatException e) {
            String reason = "checkpoint " + epoch + " refused: " + e.getMessage();
            channel.sendError(reason);
            throw new ProtocolException(reason);
        }
        channel.send(ColoMessage.VMSTATE_RECEIVED, epoch);
        try {
            stage.apply();
        } catch (IOException | RuntimeException e) {
            // Half applied: the replica is no checkpoint at all now, so it must never take over from it.
            String reason = "checkpoint " + epoch + " could not be applied (" + e.getMessage()
                    + "): this replica needs a new sync";
            channel.sendError(reason);
            throw new ProtocolException(reason);
        }
        channel.send(ColoMessage.VMSTATE_LOADED, epoch);
    }
}
