package dev.twinstep.colo.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.colo.net.OutputCommitBackend;
import dev.twinstep.colo.state.LoopGuest;
import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.state.TestMachines;
import dev.twinstep.colo.wire.Background;
import dev.twinstep.colo.wire.ReplicationAddress;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.machine.RunResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link ColoPrimary} and a {@link ColoSecondary} in one process, over loopback TCP through a
 * relay that watches the secondary's acknowledgements: a guest that keeps writing memory and sending
 * frames runs on the primary; the secondary's machine never runs until it takes over.
 */
class ColoReplicationTest {
    /** Short epochs for many checkpoints; a long failover timeout, since a loaded test host must not fail over by itself. */
    private static final ColoSettings SETTINGS = new ColoSettings(20, 10, 3000, 100);

    @TempDir
    Path dir;
    private ReplicatedMachine primaryMachine;
    private ColoSecondary secondary;
    private WatchingRelay relay;
    private ColoPrimary primary;
    private LoopGuest.Running running;
    private CheckingWire wire;
    private final List<String> primaryLog = new CopyOnWriteArrayList<>();
    private final List<String> secondaryLog = new CopyOnWriteArrayList<>();
    private CompletableFuture<ColoSecondary.Outcome> served;
    private volatile FailingDisk secondaryDisk;

    @BeforeEach
    void startSecondaryAndRelay() throws IOException {
        primaryMachine = TestMachines.replicated(dir, "primary.img");
        ServerSocket listener = ReplicationChannel.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        secondary = new ColoSecondary(listener, offer -> {
            ReplicatedMachine built = TestMachines.replicated(dir, "secondary.img");
            secondaryDisk = new FailingDisk(built.disks().get(0));
            return new ReplicatedMachine(built.machine(), List.of(secondaryDisk));
        }, SETTINGS, secondaryLog::add);
        relay = new WatchingRelay(new ReplicationAddress("127.0.0.1", listener.getLocalPort()));
        served = Background.call("secondary", secondary::serve);
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (primary != null) {
            primary.close();
        }
        relay.close();
        secondary.close();
        if (running != null) {
            running.close();
        }
        TestMachines.closeDisks(primaryMachine);
        TestMachines.closeDisks(secondary.replica());
    }

    /** Boots the guest with a frame port behind an output-commit buffer, starts it and the replication agent. */
    private void startPrimary(int outs, int heldFramesToAwait, long fromEpoch) throws Exception {
        startPrimary(outs, heldFramesToAwait, fromEpoch, FaultPlan.NONE);
    }

    private void startPrimary(int outs, int heldFramesToAwait, long fromEpoch, FaultPlan faults) throws Exception {
        wire = new CheckingWire(relay::receivedThrough, heldFramesToAwait, fromEpoch);
        OutputCommitBackend output = new OutputCommitBackend(wire);
        primaryMachine.machine().addDevice(new FramePort(output));
        TestMachines.writeSectors(primaryMachine, 0, 3, 0, 10, 2000);
        LoopGuest.boot(primaryMachine.machine(), 32, 20_000, FramePort.PORT, outs);
        // As the command line does: the agent (which makes output pass through until a secondary is
        // synced) exists before the guest runs.
        primary = new ColoPrimary(primaryMachine, output, "--test", relay.address(), SETTINGS, faults,
                primaryLog::add);
        running = new LoopGuest.Running(primaryMachine.machine());
        primary.start();
    }

    /** What serve() returned, failing with both ends' logs if it does not return in time. */
    private ColoSecondary.Outcome outcomeWithin(int seconds) throws Exception {
        try {
            return served.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("serve() did not return within " + seconds + " s; secondary log: " + secondaryLog
                    + "; primary log: " + primaryLog);
        }
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "; primary " + primary.stats().toMap()
                        + " log: " + primaryLog + "; secondary " + secondary.stats().toMap() + " log: " + secondaryLog
                        + "; serve(): " + (served.isDone() ? served.join() : "running"));
            }
            Thread.sleep(5);
        }
    }

    @Test
    void shouldReleaseNoFrameOfEpochKBeforeTheSecondaryReceivedCheckpointK() throws Exception {
        startPrimary(0, 200, 3);

        assertTrue(wire.awaitHeldFrames(), "200 held frames of epoch 3 or later left; primary log: " + primaryLog);

        List<String> violations = wire.violations();
        assertTrue(violations.isEmpty(), violations.size() + " frames left early, the first: "
                + violations.subList(0, Math.min(3, violations.size())));
        assertEquals("protected", primary.stats().mode());
        // vmstate-received for epoch 3 or later means epochs 1 and 2 were applied and counted before.
        assertTrue(secondary.stats().checkpoints() >= 2, "the secondary applied checkpoints");
        assertFalse(served.isDone(), "the secondary keeps serving");
    }

    @Test
    void shouldTakeOverFromTheLastCheckpointWhenThePrimaryConnectionIsCutAbruptly() throws Exception {
        startPrimary(300, 1, 1);
        RunResult ended = running.awaitEnd(60);
        assertEquals(RunResult.Outcome.HALTED, ended.outcome(), ended.diagnosis());
        long epochAtEnd = primary.stats().lastEpoch();
        await("two checkpoints after the guest ended are applied", () -> secondary.stats().lastEpoch() >= epochAtEnd + 2);

        relay.cut();
        ColoSecondary.Outcome outcome = outcomeWithin(30);
        primary.close();

        assertTrue(outcome.takeOver(), "take over: " + outcome);
        assertTrue(outcome.reason().contains("connection lost"), outcome.reason());
        assertEquals("failed-over", secondary.stats().mode());
        TestMachines.assertSameState(primaryMachine, secondary.replica());
    }

    @Test
    void shouldEndWithoutTakingOverWhenTheGuestShutsDownOnThePrimary() throws Exception {
        startPrimary(0, 1, 2);
        await("the secondary is protected", () -> secondary.stats().checkpoints() >= 2);

        primary.guestEnded(5);
        ColoSecondary.Outcome outcome = outcomeWithin(30);

        assertFalse(outcome.takeOver(), "no take-over: " + outcome);
        assertEquals(5, outcome.guestExitStatus());
        assertEquals("ended", secondary.stats().mode());
    }

    @Test
    void shouldNotTakeOverWhenThePrimaryStopsReplicatingOnPurpose() throws Exception {
        startPrimary(0, 1, 2);
        await("the secondary is protected", () -> secondary.stats().checkpoints() >= 2);

        primary.close();
        await("the secondary waits for a new primary", () -> secondary.stats().mode().equals("waiting"));

        assertFalse(served.isDone(), "serve() goes on waiting instead of taking over");
        assertTrue(secondaryLog.stream().anyMatch(line -> line.contains("stopped replicating")), secondaryLog.toString());
    }

    @Test
    void shouldTakeOverOnTheFailoverCommand() throws Exception {
        startPrimary(0, 1, 2);
        await("the secondary is protected", () -> secondary.stats().checkpoints() >= 2);

        assertTrue(secondary.requestFailover("failover command"));
        ColoSecondary.Outcome outcome = outcomeWithin(30);

        assertTrue(outcome.takeOver(), "take over: " + outcome);
        assertEquals("failover command", outcome.reason());
    }

    @Test
    void shouldRefuseTheFailoverCommandBeforeAnInitialSync() {
        assertFalse(secondary.requestFailover("too early"));
        assertFalse(served.isDone());
    }

    @Test
    void shouldRefuseACorruptCheckpointWithoutTakingOverAndThenBeSyncedAgain() throws Exception {
        startPrimary(0, 1, 1, new FaultPlan(FaultPlan.Kind.CORRUPT, 3));
        await("the corrupt checkpoint was refused", () -> secondaryLog.stream().anyMatch(line -> line.contains("refused")));

        await("the primary synced the secondary again",
                () -> ((Long) secondary.stats().toMap().get("initial-syncs")) >= 2 && secondary.stats().lastEpoch() > 3);

        assertFalse(served.isDone(), "no take-over: the primary lives on");
        assertTrue(primaryLog.stream().anyMatch(line -> line.contains("UNPROTECTED")), primaryLog.toString());
        assertTrue(secondaryLog.stream().anyMatch(line -> line.contains("CRC32C")), secondaryLog.toString());
    }

    @Test
    void shouldTakeOverExactlyFromAStateSyncedAgainAfterARefusedCheckpoint() throws Exception {
        startPrimary(300, 1, 1, new FaultPlan(FaultPlan.Kind.CORRUPT, 2));
        await("the primary synced the secondary again", () -> ((Long) secondary.stats().toMap().get("initial-syncs")) >= 2);
        RunResult ended = running.awaitEnd(60);
        assertEquals(RunResult.Outcome.HALTED, ended.outcome(), ended.diagnosis());
        long epochAtEnd = primary.stats().lastEpoch();
        await("two checkpoints after the guest ended are applied", () -> secondary.stats().lastEpoch() >= epochAtEnd + 2);

        relay.cut();
        ColoSecondary.Outcome outcome = outcomeWithin(30);
        primary.close();

        assertTrue(outcome.takeOver(), "take over: " + outcome);
        TestMachines.assertSameState(primaryMachine, secondary.replica());
    }

    @Test
    void shouldEndWithoutTakingOverWhenTheGuestShutsDownDuringACheckpointTransaction() throws Exception {
        startPrimary(0, 1, 1);
        await("the secondary is protected", () -> secondary.stats().checkpoints() >= 2);
        relay.holdRepliesFrom(secondary.stats().lastEpoch() + 2);
        assertTrue(relay.awaitHolding(), "the primary is inside a checkpoint transaction");

        primary.guestEnded(3);
        relay.unhold();

        ColoSecondary.Outcome outcome = outcomeWithin(10);
        assertFalse(outcome.takeOver(), "no take-over: " + outcome);
        assertEquals(3, outcome.guestExitStatus(), outcome.reason());
    }

    @Test
    void shouldTakeOverWhenThePrimaryFallsSilentPastTheTimeout() throws Exception {
        startPrimary(0, 1, 1);
        await("the secondary is protected", () -> secondary.stats().checkpoints() >= 2);
        long silentSince = System.nanoTime();

        relay.silencePrimary();
        ColoSecondary.Outcome outcome = outcomeWithin(30);

        assertTrue(outcome.takeOver(), "take over: " + outcome);
        assertTrue(outcome.reason().contains("silent"), outcome.reason());
        // The last byte may have arrived a heartbeat or two before the relay fell silent: allow for it.
        long silentMillis = (System.nanoTime() - silentSince) / 1_000_000L;
        assertTrue(silentMillis >= SETTINGS.failoverTimeoutMillis() - 500, "took over after " + silentMillis + " ms of silence");
    }

    @Test
    void shouldMoveToANewSecondaryOnRetargetWithoutTheOldOneTakingOver() throws Exception {
        startPrimary(0, 1, 1);
        await("the first secondary is protected", () -> secondary.stats().checkpoints() >= 2);
        ServerSocket secondListener = ReplicationChannel.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        List<String> secondLog = new CopyOnWriteArrayList<>();
        ColoSecondary second = new ColoSecondary(secondListener, offer -> TestMachines.replicated(dir, "second.img"),
                SETTINGS, secondLog::add);
        try {
            CompletableFuture<ColoSecondary.Outcome> secondServed = Background.call("second secondary", second::serve);

            primary.retarget(new ReplicationAddress("127.0.0.1", secondListener.getLocalPort()));
            try {
                await("the new secondary is protected", () -> second.stats().checkpoints() >= 2);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; new secondary log: " + secondLog, e);
            }
            await("the old secondary waits for a new primary", () -> secondary.stats().mode().equals("waiting"));

            assertFalse(served.isDone(), "the old secondary does not take over: " + secondaryLog);
            assertTrue(secondaryLog.stream().anyMatch(line -> line.contains("replicates elsewhere")), secondaryLog.toString());
            assertEquals("protected", primary.stats().mode());
            assertFalse(secondServed.isDone());
        } finally {
            primary.close();
            second.close();
            TestMachines.closeDisks(second.replica());
        }
    }

    @Test
    void shouldRunTheGuestOnAfterTakeOverToTheSameEndAsOnThePrimary() throws Exception {
        startPrimary(1000, 1, 1);
        await("the secondary applied a few checkpoints", () -> secondary.stats().checkpoints() >= 3);

        relay.cut();
        boolean primaryGuestStillRunning = !running.ended();
        ColoSecondary.Outcome outcome = outcomeWithin(30);
        assertTrue(outcome.takeOver(), "take over: " + outcome);
        RunResult onSecondary;
        try (LoopGuest.Running resumed = new LoopGuest.Running(secondary.replica().machine())) {
            onSecondary = resumed.awaitEnd(120);
        }
        RunResult onPrimary = running.awaitEnd(120);
        primary.close();

        assertTrue(primaryGuestStillRunning, "the take-over happened while the guest was running");
        assertEquals(RunResult.Outcome.HALTED, onSecondary.outcome(), onSecondary.diagnosis());
        assertEquals(onPrimary.diagnosis(), onSecondary.diagnosis());
        // The guest is deterministic and its clock counts instructions: resumed from a checkpoint, it
        // must reach exactly the primary's end state, or the checkpoint missed something.
        TestMachines.assertSameState(primaryMachine, secondary.replica());
    }

    @Test
    void shouldNotTakeOverFromAHalfAppliedCheckpoint() throws Exception {
        startPrimary(0, 1, 1);
        await("the secondary is protected", () -> secondary.stats().checkpoints() >= 2);

        secondaryDisk.failWrites();
        primaryMachine.machine().events().post(() -> {
            try {
                TestMachines.writeSectors(primaryMachine, 0, 9, 40);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        await("the secondary stopped applying", () -> !secondary.stats().mode().equals("protected"));

        assertNotEquals("failed-over", secondary.stats().mode(),
                "took over from a replica whose last checkpoint is half applied: " + secondaryLog);
    }
}
