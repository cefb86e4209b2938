package dev.twinstep.tools.colo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.tools.control.ControlConnection;
import dev.twinstep.tools.launch.TwinstepProcess;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a COLO primary running the kvstore guest under a checked client load, at three
 * moments: while it runs, in the middle of a checkpoint transfer, and right after the secondary
 * reported vmstate-received; and of a promoted secondary once {@code colo-protect} paired it with a
 * new one. Each time the secondary takes over from the right checkpoint, the clients carry on at
 * the same address, and no acknowledged write is lost.
 */
@Timeout(300)
class PrimaryFailoverTest {
    /** The checkpoint the injected faults stop at: a few seconds of checkpoints under load. */
    private static final long FAULT_EPOCH = 20;

    @TempDir
    Path dir;

    private ColoScenario scenario;

    @BeforeEach
    void createScenario() throws Exception {
        scenario = new ColoScenario(dir);
    }

    @AfterEach
    void endScenario() throws Exception {
        scenario.close();
    }

    @Test
    void shouldTakeOverWithoutLosingAWriteWhenThePrimaryIsKilledUnderLoad() throws Exception {
        TwinstepProcess secondary = scenario.startSecondary("secondary");
        TwinstepProcess primary = scenario.startProtectedPrimary();
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "before the kill");
        long moment = ThreadLocalRandom.current().nextLong(2 * 100); // anywhere in two checkpoint intervals
        System.out.println("killing the primary " + moment + " ms after the answers");
        Thread.sleep(moment);

        String takeOver = scenario.killPrimaryAndAwaitTakeOver(primary, secondary);
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "after the take-over");

        assertTrue(ColoScenario.resumedFrom(takeOver) >= 1,
                () -> scenario.failureText("the secondary should resume from a checkpoint, not the initial sync"));
        assertTrue(secondary.isAlive(), () -> scenario.failureText("the secondary stopped"));
        scenario.assertNothingLost();
    }

    @Test
    void shouldFailOverAgainOnceTheSurvivorIsProtectedByANewSecondary() throws Exception {
        KvProcessHarness harness = scenario.harness;
        TwinstepProcess first = scenario.startSecondary("secondary");
        TwinstepProcess primary = scenario.startProtectedPrimary();
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "before the first kill");
        scenario.killPrimaryAndAwaitTakeOver(primary, first);
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "after the first take-over");

        int newReplicationPort = KvProcessHarness.freeTcpPort();
        TwinstepProcess second = scenario.startSecondary("secondary2", newReplicationPort);
        try (ControlConnection control = harness.control("secondary")) {
            Map<String, Object> reply = control.reply("colo-protect",
                    Map.of("secondary", "tcp:127.0.0.1:" + newReplicationPort));
            assertTrue(reply.containsKey("return"), () -> scenario.failureText("colo-protect replied " + reply));
        }
        harness.awaitLine(first, "colo primary: protected:", KvProcessHarness.START_UP);
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "once the survivor was protected");

        String takeOver = scenario.killPrimaryAndAwaitTakeOver(first, second);
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "after the second take-over");

        assertTrue(ColoScenario.resumedFrom(takeOver) >= 1, () -> scenario.failureText("resumed from the initial sync only"));
        scenario.assertNothingLost();
    }

    @Test
    void shouldResumeFromThePreviousCheckpointWhenThePrimaryDiesInTheMiddleOfATransfer() throws Exception {
        TwinstepProcess secondary = scenario.startSecondary("secondary");
        TwinstepProcess primary = scenario.startProtectedPrimary("--x-fault", "stall-in-transfer:" + FAULT_EPOCH);
        scenario.harness.awaitLine(primary, "test-fault stall-in-transfer " + FAULT_EPOCH, KvProcessHarness.START_UP);
        assertTrue(scenario.answers() > 0, () -> scenario.failureText("the fault should strike while the clients write"));

        String takeOver = scenario.killPrimaryAndAwaitTakeOver(primary, secondary);
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "after the take-over");

        assertEquals(FAULT_EPOCH - 1, ColoScenario.resumedFrom(takeOver),
                () -> scenario.failureText("the half-sent epoch must not be applied"));
        assertEquals(0, KvProcessHarness.count(secondary, "refused"),
                () -> scenario.failureText("a cut-off transfer is a lost primary, not a bad checkpoint"));
        scenario.assertNothingLost();
    }

    @Test
    void shouldResumeFromTheReceivedCheckpointWhenThePrimaryDiesRightAfterVmstateReceived() throws Exception {
        TwinstepProcess secondary = scenario.startSecondary("secondary");
        TwinstepProcess primary = scenario.startProtectedPrimary("--x-fault", "stall-after-received:" + FAULT_EPOCH);
        scenario.harness.awaitLine(primary, "test-fault stall-after-received " + FAULT_EPOCH, KvProcessHarness.START_UP);
        assertTrue(scenario.answers() > 0, () -> scenario.failureText("the fault should strike while the clients write"));

        String takeOver = scenario.killPrimaryAndAwaitTakeOver(primary, secondary);
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "after the take-over");

        assertEquals(FAULT_EPOCH, ColoScenario.resumedFrom(takeOver),
                () -> scenario.failureText("the epoch received whole (its output may have left) must be applied"));
        scenario.assertNothingLost();
    }
}
