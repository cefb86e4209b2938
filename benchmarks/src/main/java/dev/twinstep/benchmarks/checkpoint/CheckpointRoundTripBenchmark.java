package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.colo.replication.ColoSettings;
import dev.twinstep.colo.state.EpochCapture;
import dev.twinstep.colo.sync.Handshake;
import dev.twinstep.colo.sync.SyncSource;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ReplicationChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The full checkpoint round trip (issue 5), request to loaded, over loopback TCP to a real
 * secondary in its own process ({@link SecondaryMain}): {@link SyncSource#checkpoint} sends
 * checkpoint-request, waits for the reply, streams the staged epoch ({@code dirtyPages} pages, the
 * device state, its CRC32C), releases the epoch's held output on vmstate-received, and returns on
 * vmstate-loaded, when the secondary has verified, validated and applied the epoch.
 *
 * <p>Set-up per trial: the handshake and the initial sync ({@link SyncSource#run}), as
 * {@code ColoPrimary} does them, with heartbeats on. Per call (untimed): the guest's writes, then the
 * checkpoint pause that stages the epoch. The primary's whole checkpoint, as
 * {@code query-colo-status} reports its round trip, is this plus {@link CheckpointPauseBenchmark}'s
 * pause. At tear-down the secondary reports a CRC32C of its RAM, which must equal the primary's:
 * every timed checkpoint was applied.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class CheckpointRoundTripBenchmark {
    /** Pages of 4 KiB written since the previous checkpoint. */
    @Param({"0", "16", "256", "4096", "16384"})
    public int dirtyPages;

    /** Guest RAM in MiB, on both ends. */
    @Param("128")
    public int ramMiB;

    CheckpointPc pc;
    private EpochCapture capture;
    private CheckpointPause checkpointPause;
    private SecondaryProcess secondary;
    private ReplicationChannel channel;
    private int[] pages;
    private int round;
    private long epoch;
    private Runnable releaseOutput;

    /** Starts the secondary, connects, and runs the initial sync of the filled machine. */
    @Setup(Level.Trial)
    public void connect() throws IOException, InterruptedException {
        long ramBytes = (long) ramMiB << 20;
        pc = CheckpointPc.build(ramBytes);
        pc.fillRam(ramMiB);
        pages = CheckpointPc.spreadPages(ramBytes, dirtyPages);
        capture = new EpochCapture(pc.replica());
        checkpointPause = new CheckpointPause(pc, capture);
        releaseOutput = () -> pc.output().release(epoch);
        secondary = SecondaryProcess.start(ramMiB);
        channel = ReplicationChannel.connect(secondary.address(), 5000);
        channel.startHeartbeats(ColoSettings.DEFAULT.heartbeatMillis());
        Handshake.offer(channel, Handshake.COLO_PERIODIC, pc.replica().describe(), "");
        new SyncSource(pc.replica(), channel, capture, SyncSource.Options.DEFAULT, line -> { })
                .run(0, pc.output()::protect);
        channel.expect(ColoMessage.CHECKPOINT_READY);
        pc.machine().resume();
    }

    /** The guest's writes of one epoch, then the pause that stages it. */
    @Setup(Level.Invocation)
    public void stageEpoch() throws InterruptedException {
        pc.dirty(pages, ++round);
        epoch = checkpointPause.take();
    }

    /** One checkpoint transaction; returns its epoch. */
    @Benchmark
    public long roundTrip() throws IOException {
        SyncSource.checkpoint(channel, capture, epoch, false, releaseOutput);
        return epoch;
    }

    /**
     * Ends replication the way a guest shutdown does, and fails the run unless the secondary's RAM
     * is the primary's.
     */
    @TearDown(Level.Trial)
    public void disconnect() throws IOException {
        try {
            channel.send(ColoMessage.GUEST_SHUTDOWN, 0);
            long theirs = secondary.ramChecksum();
            long ours = SecondaryMain.ramChecksum(pc.replica());
            if (theirs != ours) {
                throw new IllegalStateException("the secondary's RAM differs from the primary's after " + round
                        + " checkpoints (CRC32C " + Long.toHexString(theirs) + " vs " + Long.toHexString(ours) + ")");
            }
        } finally {
            channel.close();
            secondary.close();
            pc.output().close();
        }
    }
}
