package dev.twinstep.benchmarks.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The benchmark machine and the guest it plays: pages spread over RAM, each write marked dirty. */
class CheckpointPcTest {
    private static final long RAM_BYTES = 8L << 20;

    @Test
    void shouldSpreadDistinctPagesOverRamAboveTheVgaHole() {
        int[] pages = CheckpointPc.spreadPages(RAM_BYTES, 300);

        assertEquals(300, Arrays.stream(pages).distinct().count());
        assertTrue(Arrays.stream(pages).allMatch(p -> p >= 256 && p < 2048), Arrays.toString(pages));
        assertTrue(pages[pages.length - 1] > 1900, "the last page reaches the top of RAM: " + pages[pages.length - 1]);
    }

    @Test
    void shouldRefuseMoreDirtyPagesThanRamAboveOneMebibyteHolds() {
        assertThrows(IllegalArgumentException.class, () -> CheckpointPc.spreadPages(RAM_BYTES, 2048 - 256 + 1));
        assertEquals(2048 - 256, CheckpointPc.spreadPages(RAM_BYTES, 2048 - 256).length);
    }

    @Test
    void shouldMarkExactlyTheWrittenPagesDirtyForReplication() {
        CheckpointPc pc = CheckpointPc.build(RAM_BYTES);
        DirtyLog log = pc.machine().memory().dirtyLog();
        log.takeAndClear(DirtyLog.Client.REPLICATION, new long[log.wordCount()]);
        int[] pages = CheckpointPc.spreadPages(RAM_BYTES, 16);

        pc.dirty(pages, 7);

        assertEquals(16, log.count(DirtyLog.Client.REPLICATION));
        for (int page : pages) {
            assertTrue(log.isDirty(DirtyLog.Client.REPLICATION, page), "page " + page);
        }
    }

    @Test
    void shouldFillEveryAddressablePageWithNonZeroBytes() {
        CheckpointPc pc = CheckpointPc.build(RAM_BYTES);

        pc.fillRam(1);

        GuestMemory memory = pc.machine().memory();
        for (int page = 0; page < RAM_BYTES >>> GuestMemory.PAGE_SHIFT; page++) {
            if (memory.isRamPage(page)) {
                assertTrue(memory.ram().getLong(page << GuestMemory.PAGE_SHIFT) != 0, "page " + page);
            }
        }
        assertEquals(RAM_BYTES / GuestMemory.PAGE_SIZE - 32, memory.dirtyLog().count(DirtyLog.Client.REPLICATION),
                "every page but the VGA hole's 32 is dirty");
    }
}
