package dev.twinstep.benchmarks;

import dev.twinstep.core.memory.GuestMemory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The physical-memory paths every guest store and every device DMA take: {@link GuestMemory#write32}
 * (RAM store plus dirty marking for both log clients) and {@link GuestMemory#writeBytes} of one 4 KiB
 * page, in nanoseconds per operation.
 *
 * <p>The scalar cases run {@link #WRITES} writes per invocation so that JMH's per-call cost does not
 * dominate a few-nanosecond operation; the score is per write. {@code SamePage} walks one page;
 * {@code Strided} touches a different page each time (1,024 pages, 4 MiB), so each store lands on
 * another RAM cache line and another page-kind entry and dirty bit: closer to a guest spreading its
 * stores over its working set.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class GuestMemoryBenchmark {
    static final int WRITES = 1024;
    /** Above the VGA hole and the low megabyte, where a guest's kernel and data live. */
    static final int BASE = 16 << 20;
    static final int DMA_BYTES = GuestMemory.PAGE_SIZE;

    private GuestMemory memory;
    private final byte[] dmaSource = new byte[DMA_BYTES];
    /** 64 MiB of pages from {@link #BASE}: larger than most last-level caches. */
    static final int RING_PAGES = 16384;

    private int value;
    private int nextRingPage;

    /** 128 MiB of guest RAM, as {@code twinstep run} gives by default. */
    @Setup(Level.Trial)
    public void allocate() {
        memory = new GuestMemory(128L << 20);
        for (int i = 0; i < dmaSource.length; i++) {
            dmaSource[i] = (byte) (i * 31);
        }
    }

    /** 1024 aligned dword stores that stay inside one 4 KiB page. */
    @Benchmark
    @OperationsPerInvocation(WRITES)
    public void write32SamePage() {
        int v = value++;
        for (int i = 0; i < WRITES; i++) {
            memory.write32(BASE + ((i << 2) & (GuestMemory.PAGE_SIZE - 1)), v + i);
        }
    }

    /** 1024 aligned dword stores, each to the next page. */
    @Benchmark
    @OperationsPerInvocation(WRITES)
    public void write32Strided() {
        int v = value++;
        for (int i = 0; i < WRITES; i++) {
            memory.write32(BASE + (i << GuestMemory.PAGE_SHIFT) + 64, v + i);
        }
    }

    /** 1024 aligned dword loads inside one page: the read side, without dirty marking, for comparison. */
    @Benchmark
    @OperationsPerInvocation(WRITES)
    public int read32SamePage() {
        int sum = 0;
        for (int i = 0; i < WRITES; i++) {
            sum += memory.read32(BASE + ((i << 2) & (GuestMemory.PAGE_SIZE - 1)));
        }
        return sum;
    }

    /** A device's DMA of one page-aligned 4 KiB block, always the same page (cache-hot): one copy, one dirty mark. */
    @Benchmark
    public void writeBytes4KiBAligned() {
        memory.writeBytes(BASE, dmaSource, 0, DMA_BYTES);
    }

    /**
     * The same DMA to the next page of a 64 MiB ring each time, as a disk or NIC filling fresh
     * buffers would: the destination is rarely in the cache, so this is closer to memory bandwidth.
     */
    @Benchmark
    public void writeBytes4KiBRing() {
        int page = nextRingPage;
        nextRingPage = (page + 1) & (RING_PAGES - 1);
        memory.writeBytes(BASE + ((long) page << GuestMemory.PAGE_SHIFT), dmaSource, 0, DMA_BYTES);
    }

    /** The same 4 KiB starting mid-page, so it is split over two pages and marks both. */
    @Benchmark
    public void writeBytes4KiBStraddling() {
        memory.writeBytes(BASE + DMA_BYTES / 2, dmaSource, 0, DMA_BYTES);
    }
}
