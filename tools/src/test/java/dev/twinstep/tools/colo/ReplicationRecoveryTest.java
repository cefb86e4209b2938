package dev.twinstep.tools.colo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.tools.control.ControlConnection;
import dev.twinstep.tools.launch.TwinstepProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A COLO pair that loses its secondary, or whose secondary refuses a corrupt checkpoint: the primary
 * keeps serving unprotected, says so, and syncs a secondary again without stopping its guest. The
 * re-synced secondary is then put to the test: the primary is killed and it must take over with
 * every acknowledged write, which only a complete re-sync can give.
 */
@Timeout(300)
class ReplicationRecoveryTest {
    private static final String GUEST_READY = "kvstore: listening on 10.0.2.15:9000";

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
    void shouldServeUnprotectedWhenTheSecondaryIsKilledAndProtectAgainWithANewOne() throws Exception {
        KvProcessHarness harness = scenario.harness;
        TwinstepProcess first = scenario.startSecondary("secondary");
        TwinstepProcess primary = scenario.startProtectedPrimary();
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "before the secondary was killed");

        first.kill();
        harness.awaitLine(primary, "secondary lost", KvProcessHarness.EVENT);
        try (ControlConnection control = harness.control("primary")) {
            assertEquals("unprotected", awaitMode(control, "unprotected"), () -> scenario.failureText("query-colo-status"));
            scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "while unprotected");

            TwinstepProcess second = scenario.startSecondary("secondary2");
            harness.awaitOccurrence(primary, "colo primary: protected:", 2, KvProcessHarness.START_UP);
            assertEquals("protected", awaitMode(control, "protected"), () -> scenario.failureText("query-colo-status"));
            assertEquals(2L, control.execute("query-colo-status", Map.of()).get("initial-syncs"),
                    () -> scenario.failureText("the primary should count two initial syncs"));
            scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "after the second sync");

            assertEquals(1, guestStarts("primary"), () -> scenario.failureText("the primary's guest restarted"));
            scenario.killPrimaryAndAwaitTakeOver(primary, second);
        }
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "after the new secondary took over");
        scenario.assertNothingLost();
    }

    @Test
    void shouldRefuseACorruptCheckpointWithoutTakingOverAndSyncAgain() throws Exception {
        KvProcessHarness harness = scenario.harness;
        TwinstepProcess secondary = scenario.startSecondary("secondary");
        TwinstepProcess primary = scenario.startProtectedPrimary("--x-fault", "corrupt:15");

        String refusal = harness.awaitLine(secondary, "refused", KvProcessHarness.START_UP);
        assertTrue(refusal.contains("checkpoint 15") && refusal.contains("CRC32C"),
                () -> scenario.failureText("the refusal should name the checkpoint and the failed check"));
        harness.awaitLine(primary, "secondary lost", KvProcessHarness.EVENT);
        harness.awaitOccurrence(primary, "colo primary: protected:", 2, KvProcessHarness.START_UP);
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "after the second sync");

        assertEquals(0, KvProcessHarness.count(secondary, "TAKING OVER"),
                () -> scenario.failureText("a refused checkpoint is no reason to take over"));
        assertEquals(1, guestStarts("primary"), () -> scenario.failureText("the primary's guest restarted"));
        try (ControlConnection control = harness.control("secondary")) {
            Map<String, Object> status = control.execute("query-colo-status", Map.of());
            assertEquals("protected", status.get("mode"), () -> scenario.failureText("secondary status " + status));
        }
        scenario.killPrimaryAndAwaitTakeOver(primary, secondary);
        scenario.awaitMoreAnswers(ColoScenario.ANSWERS, "after the take-over");
        scenario.assertNothingLost();
    }

    /** Polls query-colo-status until its mode is {@code wanted} (or a timeout); returns the last mode. */
    private String awaitMode(ControlConnection control, String wanted) throws Exception {
        long deadline = System.nanoTime() + KvProcessHarness.EVENT.toNanos();
        Object mode;
        do {
            mode = control.execute("query-colo-status", Map.of()).get("mode");
            if (wanted.equals(mode)) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return String.valueOf(mode);
    }

    /** How often child NAME's guest announced its service: more than once would mean a reboot. */
    private long guestStarts(String name) throws Exception {
        String serial = Files.readString(dir.resolve(name + ".out"), StandardCharsets.ISO_8859_1);
        return serial.lines().filter(line -> line.contains(GUEST_READY)).count();
    }
}
