package dev.twinstep.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.tools.Main;
import dev.twinstep.tools.control.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real demo in-process (its primaries and secondaries are real child processes) on a
 * short schedule and checks its JSON report.
 */
class DemoFailoverTest {
    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private Map<String, Object> runDemo(int kills) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream live = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"demo", "failover", "--json", "--kills", String.valueOf(kills), "--seed",
                "20261129", "--kill-after", "1500ms-2500ms", "--after-kill", "1s", "--dir", dir.toString()}, out,
                new PrintStream(live, true, StandardCharsets.UTF_8));
        String json = out.toString(StandardCharsets.UTF_8).strip();
        String context = json + "\n" + live.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, context);
        Map<String, Object> report = (Map<String, Object>) Json.parse(json);
        assertEquals("PASS", report.get("verdict"), context);
        return report;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.get(key);
    }

    private static double number(Map<String, Object> map, String key) {
        return ((Number) map.get(key)).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static void assertEveryKillSurvivedWithItsGapMeasured(Map<String, Object> report, int kills) {
        List<Object> list = (List<Object>) report.get("kills");
        assertEquals(kills, list.size(), report.toString());
        for (Object item : list) {
            Map<String, Object> kill = (Map<String, Object>) item;
            assertEquals("protected", kill.get("mode-before"), kill.toString());
            assertTrue(number(kill, "checkpoints") > 0, kill.toString());
            assertTrue(number(map(kill, "pause-us"), "p50") > 0, kill.toString());
            double gap = number(kill, "gap-ms");
            assertTrue(gap > 0 && gap < 10_000, "gap " + gap);
            assertTrue(number(kill, "first-answer-after-ms") > 0, kill.toString());
            assertTrue(number(kill, "take-over-ms") >= 0, kill.toString());
            assertTrue(number(kill, "endpoint-ms") >= number(kill, "take-over-ms"), kill.toString());
            // The survivor resumes from a checkpoint no older than the last one its primary completed.
            assertTrue(number(kill, "resumed-from-checkpoint") >= number(kill, "epoch-before"), kill.toString());
        }
    }

    private static void assertNothingAcknowledgedWasLost(Map<String, Object> report) {
        Map<String, Object> requests = map(report, "requests");
        assertTrue(number(requests, "acknowledged") > 0, requests.toString());
        assertTrue(number(requests, "incr-acknowledged") > 0, requests.toString());
        Map<String, Object> checks = map(report, "checks");
        assertEquals(0.0, number(map(checks, "acknowledged-writes-present"), "missing"), checks.toString());
        assertTrue(number(map(checks, "acknowledged-writes-present"), "checked") > 0, checks.toString());
        assertEquals(0.0, number(map(checks, "incr-exactly-once"), "wrong"), checks.toString());
        assertEquals(0.0, number(map(checks, "no-contradicted-reply"), "contradictions"), checks.toString());
    }

    @Test
    @Timeout(90)
    void shouldSurviveAKillOfThePrimaryWithoutLosingAnAcknowledgedWrite() throws Exception {
        Map<String, Object> report = runDemo(1);
        assertEveryKillSurvivedWithItsGapMeasured(report, 1);
        assertNothingAcknowledgedWasLost(report);
        assertTrue(number(report, "checkpoints") > 0);
        assertTrue(Files.exists(dir.resolve("secondary-1.err")), "--dir keeps the logs");
    }

    @Test
    @Timeout(120)
    void shouldSurviveTwoKillsWithTheSurvivorReprotectedInBetween() throws Exception {
        Map<String, Object> report = runDemo(2);
        assertEveryKillSurvivedWithItsGapMeasured(report, 2);
        assertNothingAcknowledgedWasLost(report);
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) ((List<Object>) report.get("kills")).get(0);
        assertEquals("secondary-2", first.get("reprotected-by"));
    }
}
