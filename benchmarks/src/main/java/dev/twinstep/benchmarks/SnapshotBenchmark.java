package dev.twinstep.benchmarks;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.devices.net.backend.NoneNetBackend;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.tools.Pc;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
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
 * How long a whole-machine snapshot takes to save and to restore (issue 4) for a {@code ramMiB} guest
 * on the PC that {@code twinstep run --netdev none} builds: PIC pair, LAPIC, IOAPIC, PIT, i8042,
 * port 0x92, RTC, COM1, isa-debug-exit, the PCI bus with a virtio-net NIC, and the IDE channel with
 * no drive, so every device section the real machine writes is in the stream.
 *
 * <p>Every page of RAM holds different non-zero bytes (a xorshift sequence), the worst case for a
 * full snapshot: no page is skipped as zero, and nothing compresses.
 *
 * <ul>
 *   <li>{@code saveToDiscard}: serialization alone (section encoding, CRC32C), into a stream that drops the bytes.</li>
 *   <li>{@code saveToFile}: {@link Machine#saveSnapshot(Path)} into a file under /tmp, as {@code --snapshot-on-exit}
 *       does; the data reach the page cache, not necessarily the disk.</li>
 *   <li>{@code saveToFileAndSync}: the same stream, then {@code fsync}: the time until the snapshot is durable.</li>
 *   <li>{@code restoreFromMemory}: {@link Machine#loadSnapshot(java.io.InputStream)} of a stream held in
 *       memory into a second machine built the same way: parsing, verification and applying.</li>
 *   <li>{@code restoreFromFile}: {@link Machine#loadSnapshot(Path)} as {@code --restore} does; the file was just
 *       written, so it is read from the page cache (a cold-cache read is not measured).</li>
 * </ul>
 *
 * <p>Each call is timed on its own ({@link Mode#SingleShotTime}): one call takes from tens of
 * milliseconds to seconds, and the garbage it leaves (the stream buffers) is collected before the
 * next one, so a call does not pay for its predecessor. The forks get a heap for the whole 512 MiB
 * stream several times over (the save path collects the RAM section in one array that grows by
 * doubling, the load path reads the whole stream into one) and direct memory for the RAM of both
 * machines plus the temporary direct buffer the JDK takes when that array is written to a file in one
 * call (as large as the array, and kept by the thread afterwards).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsPrepend = {"-Xms4g", "-Xmx4g", "-XX:MaxDirectMemorySize=2g"})
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@State(Scope.Benchmark)
public class SnapshotBenchmark {
    /** Guest RAM size in MiB. */
    @Param({"64", "512"})
    public String ramMiB;

    /** The machine whose snapshots are saved. */
    Machine source;
    /** A machine of the same configuration that snapshots are restored into. */
    Machine target;
    /** The temporary directory under /tmp that holds both files. */
    Path directory;
    /** Where the save benchmarks write. */
    Path savedFile;
    /** The snapshot of the source written at set-up, which the restore benchmarks read. */
    Path restoredFile;
    /** The same snapshot in memory. */
    byte[] restoredStream;
    private final CountingDiscard discard = new CountingDiscard();
    private int restoreCalls;

    /** Builds both machines, fills the source's RAM, and writes the snapshot the restore benchmarks read. */
    @Setup(Level.Trial)
    public void build() throws IOException {
        long ramBytes = Long.parseLong(ramMiB) << 20;
        source = newPc(ramBytes);
        fillWithDistinctPages(source.memory().ram(), 0x9E3779B97F4A7C15L);
        target = newPc(ramBytes);
        directory = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "twinstep-snapbench");
        savedFile = directory.resolve("saved.snap");
        restoredFile = directory.resolve("restored.snap");
        source.saveSnapshot(restoredFile);
        restoredStream = Files.readAllBytes(restoredFile);
    }

    /** Collects the previous call's stream buffers, so that each call starts from the same heap. */
    @Setup(Level.Iteration)
    public void collectGarbage() {
        System.gc();
    }

    /**
     * Fails the run unless what was measured did its job: a restore reproduced the source's RAM, the
     * last saved file restores to it too, and the discarded stream was as long as a real one. Then
     * removes the files.
     */
    @TearDown(Level.Trial)
    public void checkAndClean() throws IOException {
        try {
            if (restoreCalls > 0) {
                requireTargetEqualsSource("restored");
            }
            if (Files.exists(savedFile)) {
                target.loadSnapshot(savedFile);
                requireTargetEqualsSource("saved and restored");
            }
            long discarded = discard.count;
            if (discarded != 0 && discarded != restoredStream.length) {
                throw new IllegalStateException("the discarded snapshot had " + discarded + " bytes, the saved one "
                        + restoredStream.length);
            }
        } finally {
            Files.deleteIfExists(savedFile);
            Files.deleteIfExists(restoredFile);
            Files.deleteIfExists(directory);
        }
    }

    private void requireTargetEqualsSource(String how) {
        if (!source.memory().ram().equals(target.memory().ram())) {
            throw new IllegalStateException("the " + how + " RAM differs from the source's RAM");
        }
    }

    /** Serializes the whole machine into a stream that drops the bytes. */
    @Benchmark
    public void saveToDiscard() throws IOException {
        discard.count = 0;
        source.saveSnapshot(discard, false);
    }

    /** Saves the whole machine into a file, as {@code --snapshot-on-exit}. */
    @Benchmark
    public void saveToFile() throws IOException {
        source.saveSnapshot(savedFile);
    }

    /** Saves the whole machine into a file and forces it to the disk. */
    @Benchmark
    public void saveToFileAndSync() throws IOException {
        try (FileChannel channel = FileChannel.open(savedFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            source.saveSnapshot(out, false);
            out.flush();
            channel.force(true);
        }
    }

    /** Restores a snapshot held in memory into the second machine. */
    @Benchmark
    public void restoreFromMemory() throws IOException {
        restoreCalls++;
        target.loadSnapshot(new ByteArrayInputStream(restoredStream));
    }

    /** Restores the snapshot file into the second machine, as {@code --restore}. */
    @Benchmark
    public void restoreFromFile() throws IOException {
        restoreCalls++;
        target.loadSnapshot(restoredFile);
    }

    /**
     * The PC of {@code twinstep run --netdev none} ({@link Pc}). Its MP table is written into RAM as
     * on every such PC; the source's fill and every restore overwrite it, so it changes nothing measured.
     */
    static Machine newPc(long ramBytes) {
        return Pc.build(MachineConfig.withRam(ramBytes), SerialBackend.NONE, new NoneNetBackend());
    }

    /**
     * Writes a xorshift64 sequence over the whole RAM store (the VGA hole's backing pages too, which a
     * full snapshot also scans), so every page is non-zero and no two pages are alike. This bypasses
     * the dirty log on purpose: a full snapshot does not consult it.
     */
    static void fillWithDistinctPages(UnsafeBuffer ram, long seed) {
        long x = seed;
        int capacity = ram.capacity();
        for (int offset = 0; offset < capacity; offset += Long.BYTES) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            ram.putLong(offset, x);
        }
    }

    /** Drops every byte and counts them, so that the teardown can tell a whole stream was produced. */
    private static final class CountingDiscard extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            count += length;
        }
    }
}
