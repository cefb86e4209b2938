package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.colo.state.EpochCapture;
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
 * The primary's pause per checkpoint (issue 5): what {@code ColoPrimary} does while the guest is
 * stopped ({@link CheckpointPause}: at a block boundary, close the output epoch and
 * {@link EpochCapture#capture()} — take the REPLICATION dirty log, copy the dirty pages into staging
 * memory, save the device state, take the dirty sectors) with {@code dirtyPages} pages of 4 KiB
 * written since the previous checkpoint.
 *
 * <p>Before each call the pages are written again through guest memory (untimed), as the guest would
 * between two checkpoints; each call is timed alone ({@link Mode#SampleTime}), so the JSON's
 * percentiles are those of single pauses. The machine does not run, so the boundary task runs on
 * the benchmark thread at once: the time a running machine takes to reach a block boundary (at most
 * one block) is not in these figures, nor is it in the pause {@code query-colo-status} reports.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class CheckpointPauseBenchmark {
    /** Pages of 4 KiB written since the previous checkpoint. */
    @Param({"0", "16", "256", "4096", "16384"})
    public int dirtyPages;

    /** Guest RAM in MiB: 128 holds 16384 dirty pages with room to spare. */
    @Param("128")
    public int ramMiB;

    CheckpointPc pc;
    EpochCapture capture;
    private CheckpointPause checkpointPause;
    private int[] pages;
    private int round;

    /** Builds the machine, fills its RAM and forgets that first fill (an initial sync would send it). */
    @Setup(Level.Trial)
    public void build() {
        long ramBytes = (long) ramMiB << 20;
        pc = CheckpointPc.build(ramBytes);
        pc.fillRam(ramMiB);
        pages = CheckpointPc.spreadPages(ramBytes, dirtyPages);
        capture = new EpochCapture(pc.replica());
        capture.discardDirty();
        checkpointPause = new CheckpointPause(pc, capture);
    }

    /** The guest's writes of one epoch. */
    @Setup(Level.Invocation)
    public void dirty() {
        pc.dirty(pages, ++round);
    }

    /** One checkpoint pause; returns the pages staged. */
    @Benchmark
    public int pause() throws InterruptedException {
        checkpointPause.take();
        return capture.pageCount();
    }

    /** Fails the run if the last pause staged other than the pages written. */
    @TearDown(Level.Trial)
    public void check() {
        if (round > 0 && capture.pageCount() != dirtyPages) {
            throw new IllegalStateException("the pause staged " + capture.pageCount() + " pages, " + dirtyPages
                    + " were written");
        }
        pc.output().close();
    }
}
