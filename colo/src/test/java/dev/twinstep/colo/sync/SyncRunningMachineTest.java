package dev.twinstep.colo.sync;

import static dev.twinstep.colo.state.TestMachines.assertSameState;
import static dev.twinstep.colo.state.TestMachines.fingerprint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.colo.state.EpochCapture;
import dev.twinstep.colo.state.LoopGuest;
import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.state.TestMachines;
import dev.twinstep.colo.wire.Background;
import dev.twinstep.colo.wire.ChannelPair;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ProtocolException;
import dev.twinstep.core.memory.GuestMemory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SyncSource} copies a machine whose guest keeps writing memory to a {@link SyncTarget} over
 * loopback TCP; the replica must then equal the paused source exactly, and later checkpoints keep it so.
 */
class SyncRunningMachineTest {
    /** A port nothing listens on: the guest's OUTs are ignored here. */
    private static final int UNUSED_PORT = 0x510;

    @TempDir
    Path dir;
    private ReplicatedMachine source;
    private ReplicatedMachine replica;
    private ChannelPair pair;
    private LoopGuest.Running running;
    private final List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void buildMachines() throws IOException {
        source = TestMachines.replicated(dir, "source.img");
        replica = TestMachines.replicated(dir, "replica.img");
        pair = ChannelPair.open();
    }

    @AfterEach
    void release() throws Exception {
        pair.close();
        if (running != null) {
            running.close();
        }
        TestMachines.closeDisks(source);
        TestMachines.closeDisks(replica);
    }

    private void startGuest(int workingSetPages) throws Exception {
        TestMachines.writeSectors(source, 0, 7, 0, 1, 2, 100, 2047);
        LoopGuest.boot(source.machine(), workingSetPages, 1000, UNUSED_PORT, 0);
        running = new LoopGuest.Running(source.machine());
        awaitGuestProgress();
    }

    /** Runs a sync to epoch 0; returns with the source paused and the replica loaded. */
    private SyncSource.Report sync(SyncTarget target, SyncSource.Options options, Runnable whilePaused) throws Exception {
        CompletableFuture<Long> received = Background.call("sync target", target::receiveSync);
        SyncSource.Report report = new SyncSource(source, pair.source, new EpochCapture(source), options, progress::add)
                .run(0, whilePaused);
        assertEquals(0L, received.get(10, TimeUnit.SECONDS));
        return report;
    }

    private int counterOfWorkingSetPage(ReplicatedMachine machine, int index) {
        return machine.machine().memory().read32(LoopGuest.WORKING_SET_BASE + index * GuestMemory.PAGE_SIZE);
    }

    @Test
    void shouldMakeTheReplicaEqualThePausedSourceAfterSyncingARunningGuest() throws Exception {
        startGuest(16);
        SyncTarget target = new SyncTarget(replica, pair.target);

        SyncSource.Report report = sync(target, SyncSource.Options.DEFAULT,
                unchecked(() -> TestMachines.writeSectors(source, 0, 9, 100, 101)));

        assertTrue(source.machine().isPaused(), "the sync returns with the source paused");
        assertTrue(counterOfWorkingSetPage(source, 0) > 0, "the guest ran and wrote its working set");
        assertTrue(target.precopyPages() > 0, "pages went over in pre-copy");
        assertEquals(2, report.finalSectors(), "sectors written in the final pause travel in the stop-and-copy epoch");
        assertSameState(source, replica);
    }

    @Test
    void shouldConvergeWhenTheWorkingSetIsBelowTheThreshold() throws Exception {
        startGuest(16);
        SyncSource.Options options = new SyncSource.Options(64, 30);

        SyncSource.Report report = sync(new SyncTarget(replica, pair.target), options, () -> { });

        assertTrue(report.rounds() < options.maxRounds(), "converged after " + report.rounds() + " rounds");
        assertTrue(report.finalPages() <= options.convergedPages(), report.finalPages() + " pages in the stop-and-copy");
        assertTrue(progress.get(0).startsWith("pre-copy round 0"), progress.toString());
        assertSameState(source, replica);
    }

    @Test
    void shouldStopAfterMaxRoundsWhenPreCopyNeverConvergesAndStillCopyExactly() throws Exception {
        startGuest(600);
        // No dirty count is at or below -1: convergence cannot end the pre-copy, however the guest is scheduled.
        SyncSource.Options options = new SyncSource.Options(-1, 4);

        SyncSource.Report report = sync(new SyncTarget(replica, pair.target), options, () -> { });

        assertEquals(options.maxRounds(), report.rounds());
        assertEquals(options.maxRounds(), progress.stream().filter(line -> line.startsWith("pre-copy round")).count(),
                progress.toString());
        assertSameState(source, replica);
    }

    @Test
    void shouldKeepTheReplicaEqualThroughCheckpointsOfTheRunningGuest() throws Exception {
        startGuest(64);
        SyncTarget target = new SyncTarget(replica, pair.target);
        sync(target, SyncSource.Options.DEFAULT, () -> { });
        EpochCapture capture = new EpochCapture(source);
        capture.discardDirty();
        int before = counterOfWorkingSetPage(source, 0);

        for (long epoch = 1; epoch <= 5; epoch++) {
            source.machine().resume();
            awaitGuestProgress();
            source.machine().pause();
            capture.capture();
            CompletableFuture<Void> applying = receiveCheckpointAsync(target, epoch);
            boolean[] receivedBeforeLoaded = new boolean[1];
            SyncSource.checkpoint(pair.source, capture, epoch, false, () -> receivedBeforeLoaded[0] = true);
            applying.get(10, TimeUnit.SECONDS);

            assertTrue(receivedBeforeLoaded[0], "onReceived ran in epoch " + epoch);
            assertTrue(capture.pageCount() >= 1 && capture.pageCount() <= 64 + 1, capture.pageCount() + " pages");
            assertSameState(source, replica);
        }
        assertTrue(counterOfWorkingSetPage(replica, 0) > before, "the replica follows the guest's progress");
    }

    @Test
    void shouldRefuseACorruptCheckpointOnBothEndsAndKeepTheLastGoodOne() throws Exception {
        startGuest(16);
        SyncTarget target = new SyncTarget(replica, pair.target);
        sync(target, SyncSource.Options.DEFAULT, () -> { });
        TestMachines.Fingerprint lastGood = fingerprint(replica);
        EpochCapture capture = new EpochCapture(source);
        capture.discardDirty();
        source.machine().resume();
        awaitGuestProgress();
        source.machine().pause();
        capture.capture();
        CompletableFuture<Void> applying = receiveCheckpointAsync(target, 1);
        boolean[] released = new boolean[1];

        ProtocolException seenBySource = assertThrows(ProtocolException.class,
                () -> SyncSource.checkpoint(pair.source, capture, 1, true, () -> released[0] = true));

        assertTrue(seenBySource.getMessage().contains("checkpoint 1 refused") && seenBySource.getMessage().contains("CRC32C"),
                seenBySource.getMessage());
        ExecutionException seenByTarget = assertThrows(ExecutionException.class, () -> applying.get(10, TimeUnit.SECONDS));
        assertTrue(seenByTarget.getCause() instanceof ProtocolException, String.valueOf(seenByTarget));
        assertFalse(released[0], "output of a refused checkpoint is never released");
        assertSameState(lastGood, fingerprint(replica), "after the refused checkpoint: ");
    }

    /** Lets the guest run until its first working-set counter moves. */
    private void awaitGuestProgress() throws InterruptedException {
        int address = LoopGuest.WORKING_SET_BASE;
        long deadline = System.nanoTime() + 5_000_000_000L;
        // The machine thread owns RAM; a racy read here only decides when to stop waiting.
        int start = source.machine().memory().ram().getIntVolatile(address);
        while (source.machine().memory().ram().getIntVolatile(address) - start < 10_000 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    private CompletableFuture<Void> receiveCheckpointAsync(SyncTarget target, long epoch) {
        return Background.run("checkpoint target", () -> {
            pair.target.expect(ColoMessage.CHECKPOINT_REQUEST, epoch);
            target.receiveCheckpoint(epoch);
        });
    }

    /** An I/O step to run while the source is paused. */
    private interface PausedStep {
        void run() throws IOException;
    }

    private static Runnable unchecked(PausedStep step) {
        return () -> {
            try {
                step.run();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void shouldLeaveTheSourceRunningWhenTheTargetRefusesTheFinalEpoch() throws Exception {
        startGuest(16);
        ReplicatedMachine otherKind = TestMachines.replicated(dir, TestMachines.Platform.WITHOUT_RTC,
                TestMachines.RAM_BYTES, "other.img");
        try {
            SyncTarget target = new SyncTarget(otherKind, pair.target);
            CompletableFuture<Long> received = Background.call("sync target", target::receiveSync);

            ProtocolException refusal = assertThrows(ProtocolException.class, () -> new SyncSource(source, pair.source,
                    new EpochCapture(source), SyncSource.Options.DEFAULT, progress::add).run(0, () -> { }));

            assertTrue(refusal.getMessage().contains("checkpoint 0 refused"), refusal.getMessage());
            assertThrows(ExecutionException.class, () -> received.get(10, TimeUnit.SECONDS));
            int before = counterOfWorkingSetPage(source, 0);
            awaitGuestProgress();
            assertTrue(counterOfWorkingSetPage(source, 0) != before, "a failed sync gives its pause back: the guest runs on");
        } finally {
            TestMachines.closeDisks(otherKind);
        }
    }
}
