package dev.twinstep.colo.sync;

import dev.twinstep.colo.state.EpochCapture;
import dev.twinstep.colo.state.PrecopySender;
import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.memory.DirtyLog;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * Copies a running machine to a peer: pre-copy rounds while the guest runs, then a stop-and-copy
 * epoch with the remaining pages, the device state and the disk sectors. Live migration and the COLO
 * initial sync both use it; it returns with the machine paused, and the caller decides whether the
 * guest runs on here (COLO) or stops (migration).
 */
public final class SyncSource {
    /** When to stop pre-copying: few enough dirty pages left, or too many rounds. */
    public record Options(int convergedPages, int maxRounds) {
        /** Stop at 256 dirty pages (1 MiB, a few ms on loopback) or after 30 rounds. */
        public static final Options DEFAULT = new Options(256, 30);
    }

    /** What a sync did: rounds, pages and bytes, and the stop-and-copy pause. */
    public record Report(int rounds, long bytesSent, int finalPages, int finalSectors, long finalBytes,
            long stopAndCopyNanos) {
    }

    private final ReplicatedMachine replica;
    private final ReplicationChannel channel;
    private final EpochCapture capture;
    private final Options options;
    private final Consumer<String> progress;

    /**
     * @param capture the staging the final epoch uses (kept by COLO for its checkpoints)
     * @param progress receives one line per round, for humans
     */
    public SyncSource(ReplicatedMachine replica, ReplicationChannel channel, EpochCapture capture, Options options,
            Consumer<String> progress) {
        this.replica = replica;
        this.channel = channel;
        this.capture = capture;
        this.options = options;
        this.progress = progress;
    }

    /**
     * Runs the sync to the point where the peer has loaded epoch {@code epoch}. On return the machine
     * is held by one {@link Machine#pause()} (which started the stop-and-copy, whose length is in
     * the report) that the caller gives up with {@link Machine#resume()}; on an exception the machine
     * is as before (any pause of this sync released).
     */
    public Report run(long epoch, Runnable whilePausedBeforeFinal) throws IOException, InterruptedException {
        Machine machine = replica.machine();
        PrecopySender sender = new PrecopySender(replica, channel);
        machine.atBoundary(sender::takeDirty);
        sender.sendEverything();
        progress.accept("pre-copy round 0: all of RAM and disk, " + (sender.bytesSent() >> 10) + " KiB");
        int round = 0;
        while (true) {
            int dirty = machine.memory().dirtyLog().count(DirtyLog.Client.REPLICATION);
            if (dirty <= options.convergedPages() || round + 1 >= options.maxRounds()) {
                break;
            }
            round++;
            long before = sender.bytesSent();
            int[] taken = new int[1];
            machine.atBoundary(() -> taken[0] = sender.takeDirty());
            sender.sendTaken();
            progress.accept("pre-copy round " + round + ": " + taken[0] + " dirty pages, "
                    + ((sender.bytesSent() - before) >> 10) + " KiB");
        }
        // Load and link the device-state code before the pause, not inside it (a cold process spends
        // tens of milliseconds there the first time).
        machine.atBoundary(() -> {
            try {
                machine.saveDeviceState(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        machine.pause();
        long pausedAt = System.nanoTime();
        try {
            whilePausedBeforeFinal.run();
            capture.capture();
            checkpoint(channel, capture, epoch, false, () -> { });
        } catch (IOException | RuntimeException e) {
            machine.resume();
            throw e;
        }
        long pause = System.nanoTime() - pausedAt;
        progress.accept("stop-and-copy: " + capture.pageCount() + " pages, " + capture.sectorCount() + " sectors, "
                + String.format("%.1f ms", pause / 1e6));
        return new Report(round + 1, sender.bytesSent() + capture.wireBytes(), capture.pageCount(), capture.sectorCount(),
                capture.wireBytes(), pause);
    }

    /**
     * One checkpoint transaction for a staged epoch: request, reply, the epoch, then
     * {@code onReceived} when the peer has it whole and verified, and return when it is loaded.
     *
     * @param corruptForTest flip a bit of the epoch's checksum (fault-injection tests only)
     */
    public static void checkpoint(ReplicationChannel channel, EpochCapture capture, long epoch, boolean corruptForTest,
            Runnable onReceived) throws IOException {
        channel.send(ColoMessage.CHECKPOINT_REQUEST, epoch);
        channel.expect(ColoMessage.CHECKPOINT_REPLY, epoch);
        capture.send(channel, corruptForTest);
        channel.expect(ColoMessage.VMSTATE_RECEIVED, epoch);
        onReceived.run();
        channel.expect(ColoMessage.VMSTATE_LOADED, epoch);
    }
}
