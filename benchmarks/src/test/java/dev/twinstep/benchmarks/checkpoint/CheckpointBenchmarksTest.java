package dev.twinstep.benchmarks.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.memory.GuestMemory;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Each checkpoint benchmark, driven by hand on a small machine, does the work it claims to time,
 * and its tear-down check catches a run that did not.
 */
class CheckpointBenchmarksTest {
    private static final int RAM_MIB = 8;
    private static final int DIRTY_PAGES = 16;

    @Test
    void shouldStageExactlyTheWrittenPagesInEachPause() throws Exception {
        CheckpointPauseBenchmark benchmark = new CheckpointPauseBenchmark();
        benchmark.ramMiB = RAM_MIB;
        benchmark.dirtyPages = DIRTY_PAGES;
        benchmark.build();

        for (int call = 0; call < 3; call++) {
            benchmark.dirty();
            assertEquals(DIRTY_PAGES, benchmark.pause());
        }
        assertEquals(0, benchmark.pause(), "nothing was written since the last pause");
        assertThrows(IllegalStateException.class, benchmark::check);
    }

    @Test
    void shouldLeaveTheSecondaryProcessWithThePrimarysRamAfterTimedRoundTrips() throws Exception {
        CheckpointRoundTripBenchmark benchmark = new CheckpointRoundTripBenchmark();
        benchmark.ramMiB = RAM_MIB;
        benchmark.dirtyPages = DIRTY_PAGES;
        benchmark.connect();

        for (long epoch = 1; epoch <= 3; epoch++) {
            benchmark.stageEpoch();
            assertEquals(epoch, benchmark.roundTrip());
        }
        benchmark.disconnect();
    }

    @Test
    void shouldNoticeAWriteThatNoCheckpointCarried() throws Exception {
        CheckpointRoundTripBenchmark benchmark = new CheckpointRoundTripBenchmark();
        benchmark.ramMiB = RAM_MIB;
        benchmark.dirtyPages = DIRTY_PAGES;
        benchmark.connect();
        benchmark.stageEpoch();
        benchmark.roundTrip();

        benchmark.pc.machine().memory().write32(3 << 20, 0xBAD);

        IllegalStateException e = assertThrows(IllegalStateException.class, benchmark::disconnect);
        assertTrue(e.getMessage().contains("differs"), e.getMessage());
    }

    @Test
    void shouldApplyTheRecordedEpochOnTheSecondMachine() throws Exception {
        CheckpointApplyBenchmark benchmark = new CheckpointApplyBenchmark();
        benchmark.ramMiB = RAM_MIB;
        benchmark.dirtyPages = DIRTY_PAGES;
        benchmark.record();

        assertThrows(IllegalStateException.class, benchmark::check, "nothing applied yet");
        for (int call = 0; call < 2; call++) {
            benchmark.stage();
            assertEquals(DIRTY_PAGES, benchmark.apply());
        }
        benchmark.check();
    }

    @Test
    void shouldCopyEachDirtyPageIntoStagingInTheMemcpyLimit() {
        CheckpointLimitsBenchmark.MemcpyState state = new CheckpointLimitsBenchmark.MemcpyState();
        state.ramMiB = RAM_MIB;
        state.dirtyPages = DIRTY_PAGES;
        state.allocate();
        state.ram.putLong(state.pages[5] << GuestMemory.PAGE_SHIFT, 0x1234_5678_9ABCL);

        int copied = new CheckpointLimitsBenchmark().memcpy(state);

        assertEquals(DIRTY_PAGES * GuestMemory.PAGE_SIZE, copied);
        assertEquals(0x1234_5678_9ABCL, state.staging.getLong(5 * GuestMemory.PAGE_SIZE));
        assertEquals(0x5A5A_5A5A_5A5A_5A5AL, state.staging.getLong(15 * GuestMemory.PAGE_SIZE));
    }

    @Test
    void shouldGetAnAnswerForEveryLoopbackTransfer() throws IOException, InterruptedException {
        CheckpointLimitsBenchmark.LoopbackState state = new CheckpointLimitsBenchmark.LoopbackState();
        state.dirtyPages = DIRTY_PAGES;
        state.connect();
        try {
            CheckpointLimitsBenchmark benchmark = new CheckpointLimitsBenchmark();
            for (int call = 0; call < 5; call++) {
                assertEquals(0, benchmark.loopback(state));
            }
            assertEquals(8 + DIRTY_PAGES * (4 + 4096), state.payload.capacity());
        } finally {
            state.close();
        }
    }
}
