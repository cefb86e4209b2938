package dev.twinstep.benchmarks;

import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What draining the dirty log costs at a checkpoint: {@link DirtyLog#takeAndClear(DirtyLog.Client, long[])}
 * for a guest of {@code guestMiB} with {@code dirtyPercent} of its pages written since the last take.
 *
 * <p>The scan reads and clears every bitmap word whatever the dirty share, so the cost should grow
 * with the guest size and hardly with the dirty share; the 1024 MiB row is the cost per GiB. No
 * guest RAM is allocated: the log only needs the page count.
 *
 * <p>Each invocation first puts the dirty pattern back (untimed, {@code Level.Invocation}); JMH
 * then times every call on its own, which adds a few tens of nanoseconds of timer overhead to the
 * smallest rows (128 MiB: 512 words).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class DirtyLogBenchmark {
    /** Guest RAM size in MiB. */
    @Param({"128", "1024"})
    public int guestMiB;

    /** Share of the pages dirty at each take, in percent. */
    @Param({"0", "1", "100"})
    public int dirtyPercent;

    private DirtyLog log;
    private long[] pattern;
    private long[] taken;

    /** Builds the log and a fixed pseudo-random dirty pattern with exactly the requested share of pages. */
    @Setup(Level.Trial)
    public void build() {
        int pages = (int) ((long) guestMiB << 20 >>> GuestMemory.PAGE_SHIFT);
        log = new DirtyLog(pages);
        pattern = new long[log.wordCount()];
        taken = new long[log.wordCount()];
        int wanted = (int) ((long) pages * dirtyPercent / 100);
        SplittableRandom random = new SplittableRandom(42);
        for (int marked = 0; marked < wanted; ) {
            int page = wanted == pages ? marked : random.nextInt(pages);
            long bit = 1L << page;
            if ((pattern[page >>> 6] & bit) == 0) {
                pattern[page >>> 6] |= bit;
                marked++;
            }
        }
        log.restore(DirtyLog.Client.MIGRATION, pattern);
        int count = log.takeAndClear(DirtyLog.Client.MIGRATION, taken);
        if (count != wanted) {
            throw new IllegalStateException("took " + count + " dirty pages, expected " + wanted);
        }
    }

    /** Dirties the pattern's pages again, as the guest would have between two checkpoints. */
    @Setup(Level.Invocation)
    public void dirty() {
        log.restore(DirtyLog.Client.MIGRATION, pattern);
    }

    /** Takes and clears the migration client's dirty set into a reused bitmap. */
    @Benchmark
    public int takeAndClear() {
        return log.takeAndClear(DirtyLog.Client.MIGRATION, taken);
    }
}
