package dev.twinstep.devices.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The dirty-sector log keeps the RAM dirty log's contract: take-and-clear loses nothing, restore puts bits back. */
class SectorDirtyLogTest {
    @Test
    void shouldTakeExactlyTheSectorsMarkedSinceThePreviousTake() {
        SectorDirtyLog log = new SectorDirtyLog(1000);
        log.markRange(62, 4);
        log.markSector(999);
        assertArrayEquals(new int[] {62, 63, 64, 65, 999}, log.takeAndClear().toArray());
        assertEquals(0, log.count());
        log.markSector(5);
        assertArrayEquals(new int[] {5}, log.takeAndClear().toArray());
    }

    @Test
    void shouldIgnoreTheSectorsOfARangePastTheEnd() {
        SectorDirtyLog log = new SectorDirtyLog(10);
        log.markRange(8, 5);
        assertArrayEquals(new int[] {8, 9}, log.takeAndClear().toArray());
    }

    @Test
    void shouldPutTakenBitsBackOnRestore() {
        SectorDirtyLog log = new SectorDirtyLog(130);
        log.markSector(1);
        log.markSector(129);
        long[] taken = new long[log.wordCount()];
        assertEquals(2, log.takeAndClear(taken));
        log.markSector(64);
        log.restore(taken);
        assertArrayEquals(new int[] {1, 64, 129}, log.takeAndClear().toArray());
    }

    @Test
    void shouldTestAndClearOneSector() {
        SectorDirtyLog log = new SectorDirtyLog(100);
        log.markSector(70);
        assertTrue(log.isDirty(70));
        assertTrue(log.testAndClear(70));
        assertFalse(log.isDirty(70));
        assertFalse(log.testAndClear(70));
    }

    @Test
    void shouldRefuseABitmapTooSmallToHoldTheLog() {
        SectorDirtyLog log = new SectorDirtyLog(65);
        assertThrows(IllegalArgumentException.class, () -> log.takeAndClear(new long[1]));
    }

    @Test
    void shouldRefuseADiskLargerThanLba28CanAddress() {
        assertThrows(IllegalArgumentException.class, () -> new SectorDirtyLog(SectorDirtyLog.MAX_SECTORS + 1));
    }
}
