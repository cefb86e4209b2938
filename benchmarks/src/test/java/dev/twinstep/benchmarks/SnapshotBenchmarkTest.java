package dev.twinstep.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.memory.GuestMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The snapshot benchmark measures what it says: full streams of a filled PC that really restore. */
class SnapshotBenchmarkTest {
    private static final String SMALL_RAM_MIB = "4";
    private static final long SMALL_RAM_BYTES = 4L << 20;

    private final SnapshotBenchmark benchmark = new SnapshotBenchmark();

    @BeforeEach
    void buildSmallMachines() throws IOException {
        benchmark.ramMiB = SMALL_RAM_MIB;
        benchmark.build();
    }

    @AfterEach
    void removeFiles() throws IOException {
        Files.deleteIfExists(benchmark.savedFile);
        Files.deleteIfExists(benchmark.restoredFile);
        Files.deleteIfExists(benchmark.directory);
    }

    @Test
    void shouldFillEveryPageWithNonZeroBytesUnlikeAnyOtherPage() {
        UnsafeBuffer ram = new UnsafeBuffer(ByteBuffer.allocateDirect((int) SMALL_RAM_BYTES));
        SnapshotBenchmark.fillWithDistinctPages(ram, 1);

        int pages = ram.capacity() / GuestMemory.PAGE_SIZE;
        Set<ByteBuffer> distinct = new HashSet<>();
        for (int p = 0; p < pages; p++) {
            byte[] page = new byte[GuestMemory.PAGE_SIZE];
            ram.getBytes(p * GuestMemory.PAGE_SIZE, page);
            assertFalse(isZero(page), "page " + p + " is all zero");
            distinct.add(ByteBuffer.wrap(page));
        }
        assertEquals(pages, distinct.size());
    }

    @Test
    void shouldWriteEveryPageOfRamIntoTheStreamTheRestoresRead() {
        // Each page is stored with a 4-byte page number and a 4-byte length before its 4096 bytes.
        long pages = SMALL_RAM_BYTES / GuestMemory.PAGE_SIZE;
        assertTrue(benchmark.restoredStream.length > pages * (GuestMemory.PAGE_SIZE + 8),
                "stream of " + benchmark.restoredStream.length + " bytes");
    }

    @Test
    void shouldReproduceTheSourceRamWhenRestoringFromTheFile() throws IOException {
        benchmark.restoreFromFile();

        assertSameRam(benchmark.source, benchmark.target);
        benchmark.checkAndClean();
        assertFalse(Files.exists(benchmark.directory));
    }

    @Test
    void shouldReproduceTheSourceRamWhenRestoringFromMemory() throws IOException {
        benchmark.restoreFromMemory();

        assertSameRam(benchmark.source, benchmark.target);
    }

    @Test
    void shouldSaveFilesThatRestoreLikeTheStreamWrittenAtSetUp() throws IOException {
        benchmark.saveToFile();
        assertEquals(benchmark.restoredStream.length, Files.size(benchmark.savedFile));
        benchmark.saveToFileAndSync();
        assertEquals(benchmark.restoredStream.length, Files.size(benchmark.savedFile));

        benchmark.target.loadSnapshot(benchmark.savedFile);
        assertSameRam(benchmark.source, benchmark.target);
    }

    @Test
    void shouldFailTheTrialWhenTheRestoredRamDiffersFromTheSource() throws IOException {
        benchmark.restoreFromMemory();
        benchmark.target.memory().write8(0x2000, ~benchmark.source.memory().read8(0x2000));

        assertThrows(IllegalStateException.class, benchmark::checkAndClean);
        assertFalse(Files.exists(benchmark.directory));
    }

    @Test
    void shouldPassTheTrialAfterSavesWhoseFileRestoresTheSourceRam() throws IOException {
        benchmark.saveToDiscard();
        benchmark.saveToFile();

        benchmark.checkAndClean();
        assertSameRam(benchmark.source, benchmark.target);
    }

    private static void assertSameRam(Machine expected, Machine actual) {
        byte[] want = new byte[expected.memory().ram().capacity()];
        byte[] got = new byte[actual.memory().ram().capacity()];
        expected.memory().ram().getBytes(0, want);
        actual.memory().ram().getBytes(0, got);
        assertArrayEquals(want, got);
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
