package dev.twinstep.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.memory.DirtyLog.Client;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dirty log's contract as seen through {@link GuestMemory}: every way of writing RAM marks exactly
 * the pages it touched, for every client, and a take hands over those bits and nothing else.
 */
class DirtyLogContractTest {
    private static final int PAGE = GuestMemory.PAGE_SIZE;
    private GuestMemory memory;
    private DirtyLog log;

    @BeforeEach
    void createMemory() {
        memory = new GuestMemory(4L * 1024 * 1024);
        log = memory.dirtyLog();
    }

    private int[] taken(Client client) {
        return log.takeAndClear(client).toArray();
    }

    @Test
    void shouldMarkExactlyThePageOfAByteWrite() {
        memory.write8(5 * PAGE + 17, 0xAB);
        assertArrayEquals(new int[] {5}, taken(Client.MIGRATION));
    }

    @Test
    void shouldMarkExactlyThePageOfAnAlignedWordAndDwordWrite() {
        memory.write16(7 * PAGE + 100, 0x1234);
        memory.write32(9 * PAGE + PAGE - 4, 0x12345678);
        assertArrayEquals(new int[] {7, 9}, taken(Client.MIGRATION));
    }

    @Test
    void shouldMarkBothPagesOfAWordWriteThatCrossesAPageBoundary() {
        memory.write16(3 * PAGE + PAGE - 1, 0xBEEF);
        assertArrayEquals(new int[] {3, 4}, taken(Client.MIGRATION));
        assertEquals(0xEF, memory.read8(3 * PAGE + PAGE - 1));
        assertEquals(0xBE, memory.read8(4 * PAGE));
    }

    @Test
    void shouldMarkBothPagesOfADwordWriteThatCrossesAPageBoundaryAtEveryOffset() {
        for (int overhang = 1; overhang <= 3; overhang++) {
            memory.write32(20 * PAGE - overhang, 0xCAFEBABE);
            assertArrayEquals(new int[] {19, 20}, taken(Client.MIGRATION), "overhang " + overhang);
            assertEquals(0xCAFEBABE, memory.read32(20 * PAGE - overhang));
        }
    }

    @Test
    void shouldMarkEveryPageABulkDmaWriteTouchesAndNoOther() {
        byte[] data = new byte[2 * PAGE + 2];
        memory.writeBytes(30L * PAGE + PAGE - 1, data, 0, data.length);
        assertArrayEquals(new int[] {30, 31, 32, 33}, taken(Client.MIGRATION));
    }

    @Test
    void shouldMarkEveryPageAFillTouches() {
        memory.fill(40L * PAGE + 10, 3L * PAGE, (byte) 0x55);
        assertArrayEquals(new int[] {40, 41, 42, 43}, taken(Client.MIGRATION));
        assertEquals(0x55, memory.read8(43 * PAGE + 9));
        assertEquals(0x00, memory.read8(43 * PAGE + 10));
    }

    @Test
    void shouldMarkNothingForAnEmptyBulkWrite() {
        memory.writeBytes(50L * PAGE, new byte[0], 0, 0);
        memory.fill(50L * PAGE, 0, (byte) 1);
        assertEquals(0, log.count(Client.MIGRATION));
    }

    @Test
    void shouldReturnTheSetAndResetItOnTake() {
        memory.write8(1 * PAGE, 1);
        memory.write8(63 * PAGE, 1);
        memory.write8(64 * PAGE, 1);
        DirtySet set = log.takeAndClear(Client.MIGRATION);
        assertEquals(3, set.count());
        assertTrue(set.contains(1) && set.contains(63) && set.contains(64));
        assertFalse(set.contains(2));
        assertEquals(0, log.count(Client.MIGRATION));
        assertEquals(0, log.takeAndClear(Client.MIGRATION).count());
    }

    @Test
    void shouldLoseNoBitAcrossATake() {
        memory.write8(10 * PAGE, 1);
        long[] first = new long[log.wordCount()];
        assertEquals(1, log.takeAndClear(Client.MIGRATION, first));
        memory.write8(10 * PAGE + 1, 2); // the same page again, right after the take
        memory.write8(11 * PAGE, 3);
        assertArrayEquals(new int[] {10, 11}, taken(Client.MIGRATION));
    }

    @Test
    void shouldKeepEachClientsBitsIndependent() {
        memory.write32(12 * PAGE, 7);
        assertArrayEquals(new int[] {12}, taken(Client.CODE));
        assertTrue(log.isDirty(Client.MIGRATION, 12), "taking CODE must not clear MIGRATION");
        memory.write32(13 * PAGE, 7);
        assertArrayEquals(new int[] {12, 13}, taken(Client.MIGRATION));
        assertArrayEquals(new int[] {13}, taken(Client.CODE));
    }

    @Test
    void shouldPutBitsBackOnRestoreWithoutDroppingNewOnes() {
        memory.write8(2 * PAGE, 1);
        long[] taken = new long[log.wordCount()];
        log.takeAndClear(Client.MIGRATION, taken);
        memory.write8(100 * PAGE, 1);
        log.restore(Client.MIGRATION, taken);
        assertArrayEquals(new int[] {2, 100}, taken(Client.MIGRATION));
    }

    @Test
    void shouldTestAndClearOnePageForOneClient() {
        memory.write8(6 * PAGE, 1);
        assertTrue(log.testAndClear(Client.CODE, 6));
        assertFalse(log.testAndClear(Client.CODE, 6));
        assertTrue(log.isDirty(Client.MIGRATION, 6));
    }

    @Test
    void shouldNeitherChangeNorMarkRomOnWrites() {
        memory.write8(0xE0000, 0x11);
        log.takeAndClear(Client.MIGRATION);
        memory.mapRom(0xE0000, 2 * PAGE);
        memory.write8(0xE0000, 0x22);
        memory.write16(0xE0000 + 2, 0x3333);
        memory.write32(0xE0000 + 4, 0x44444444);
        memory.writeBytes(0xE0000, new byte[] {9, 9}, 0, 2);
        memory.fill(0xE1000, PAGE, (byte) 9);
        assertEquals(0x11, memory.read8(0xE0000));
        assertEquals(0, memory.read8(0xE1000));
        assertEquals(0, log.count(Client.MIGRATION));
    }

    @Test
    void shouldIgnoreWritesToUnmappedMemoryAndTheVgaHole() {
        memory.write32(0xA0000, 0x12345678);
        memory.writeBytes(0xB0000, new byte[16], 0, 16);
        memory.write32(0x4000_0000, 1);
        memory.writeBytes(0xFFFF_FFF0L, new byte[32], 0, 32);
        assertEquals(0xFFFFFFFF, memory.read32(0xA0000));
        assertEquals(0xFF, memory.read8(0x4000_0000));
        assertEquals(0, log.count(Client.MIGRATION));
    }

    @Test
    void shouldSendMmioWritesToTheHandlerWithoutMarkingRam() {
        List<String> seen = new ArrayList<>();
        memory.mapMmio(0x20_0000, PAGE, new MmioHandler() {
            @Override
            public int mmioRead(int offset, int size) {
                return 0x1000 + offset;
            }

            @Override
            public void mmioWrite(int offset, int size, int value) {
                seen.add(offset + "/" + size + "=" + Integer.toHexString(value));
            }
        });
        memory.write32(0x20_0010, 0xDEADBEEF);
        memory.write8(0x20_0003, 0x1FF);
        memory.writeBytes(0x20_0020, new byte[] {1, 2}, 0, 2);
        assertEquals(List.of("16/4=deadbeef", "3/1=ff", "32/1=1", "33/1=2"), seen);
        assertEquals(0x1000 + 8, memory.read32(0x20_0008));
        assertEquals(0, log.count(Client.MIGRATION));
    }

    @Test
    void shouldReportWritesToCodePagesOnceMarked() {
        List<Integer> written = new ArrayList<>();
        memory.setCodeWriteListener(written::add);
        memory.write8(15 * PAGE, 1);
        memory.markCodePage(15);
        memory.write16(15 * PAGE + 2, 1);
        memory.writeBytes(14L * PAGE + PAGE - 1, new byte[2], 0, 2);
        memory.clearCodePage(15);
        memory.write8(15 * PAGE, 1);
        assertEquals(List.of(15, 15), written);
    }

    @Test
    void shouldListTakenPagesInAscendingOrder() {
        for (int page : new int[] {200, 3, 64, 65, 0}) {
            memory.write8(page * PAGE, 1);
        }
        assertArrayEquals(new int[] {0, 3, 64, 65, 200}, taken(Client.MIGRATION));
    }
}
