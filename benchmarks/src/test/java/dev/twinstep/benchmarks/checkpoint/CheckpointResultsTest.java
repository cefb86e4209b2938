package dev.twinstep.benchmarks.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.benchmarks.checkpoint.CheckpointResults.Series;
import dev.twinstep.benchmarks.checkpoint.CheckpointResults.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading JMH's JSON: medians in microseconds by dirty pages, and the targets judged on them. */
class CheckpointResultsTest {
    private static final String PACKAGE = "dev.twinstep.benchmarks.checkpoint.";

    /** One JMH result row as {@code -rf json} writes it (only the members the reader uses, plus a few others). */
    static String row(String benchmark, String params, double median, double mean, String unit) {
        return "{\"jmhVersion\":\"1.37\",\"benchmark\":\"" + PACKAGE + benchmark + "\",\"mode\":\"sample\",\"threads\":1,"
                + "\"forks\":1,\"params\":{" + params + "},\"primaryMetric\":{\"score\":" + mean + ",\"scoreError\":\"NaN\","
                + "\"scorePercentiles\":{\"0.0\":0.5,\"50.0\":" + median + ",\"100.0\":1.0E9},\"scoreUnit\":\"" + unit + "\"},"
                + "\"secondaryMetrics\":{}}";
    }

    /** A small run: two page counts of every series, and one scan row, in mixed units. */
    static String smallRun() {
        return "[" + String.join(",\n",
                row("CheckpointPauseBenchmark.pause", "\"dirtyPages\":\"0\",\"ramMiB\":\"128\"", 5, 9, "us/op"),
                row("CheckpointPauseBenchmark.pause", "\"dirtyPages\":\"4096\",\"ramMiB\":\"128\"", 2.5, 3, "ms/op"),
                row("CheckpointLimitsBenchmark.memcpy", "\"dirtyPages\":\"0\",\"ramMiB\":\"128\"", 20, 30, "ns/op"),
                row("CheckpointLimitsBenchmark.memcpy", "\"dirtyPages\":\"4096\",\"ramMiB\":\"128\"", 1500, 1600, "us/op"),
                row("CheckpointRoundTripBenchmark.roundTrip", "\"dirtyPages\":\"0\",\"ramMiB\":\"128\"", 400, 500, "us/op"),
                row("CheckpointRoundTripBenchmark.roundTrip", "\"dirtyPages\":\"4096\",\"ramMiB\":\"128\"", 12, 13, "ms/op"),
                row("CheckpointLimitsBenchmark.loopback", "\"dirtyPages\":\"0\"", 15, 16, "us/op"),
                row("CheckpointLimitsBenchmark.loopback", "\"dirtyPages\":\"4096\"", 8000, 8100, "us/op"),
                row("CheckpointApplyBenchmark.apply", "\"dirtyPages\":\"0\",\"ramMiB\":\"128\"", 300, 310, "us/op"),
                row("CheckpointApplyBenchmark.apply", "\"dirtyPages\":\"4096\",\"ramMiB\":\"128\"", 4000, 4100, "us/op"),
                row("CheckpointDirtyLogScanBenchmark.takeAndClear", "\"dirtyPercent\":\"1\",\"guestMiB\":\"1024\"", 21000, 21500,
                        "ns/op"),
                row("SnapshotBenchmark.saveToFile", "\"ramMiB\":\"64\"", 80, 90, "ms/op")) + "]";
    }

    @Test
    void shouldReadTheMedianOfEachSeriesInMicrosecondsWhateverTheUnit() {
        CheckpointResults results = CheckpointResults.parse(smallRun());

        assertEquals(Map.of(0, 5.0, 4096, 2500.0), results.series(Series.PAUSE));
        assertEquals(Map.of(0, 0.02, 4096, 1500.0), results.series(Series.MEMCPY_LIMIT));
        assertEquals(Map.of(0, 400.0, 4096, 12_000.0), results.series(Series.ROUND_TRIP));
        assertEquals(Map.of(0, 15.0, 4096, 8000.0), results.series(Series.LOOPBACK_LIMIT));
        assertEquals(Map.of(0, 300.0, 4096, 4000.0), results.series(Series.APPLY));
    }

    @Test
    void shouldKeepTheScanRowsAndIgnoreOtherBenchmarks() {
        CheckpointResults results = CheckpointResults.parse(smallRun());

        assertEquals(List.of(new CheckpointResults.ScanRow(1024, 1, 21.0)), results.scan());
    }

    @Test
    void shouldDerivePauseTargetFromTheMemcpyLimit() {
        CheckpointResults results = CheckpointResults.parse(smallRun());

        assertEquals(1.3 * 1500 + 100, results.pauseTarget().get(4096), 1e-9);
        assertEquals(1.3 * 0.02 + 100, results.pauseTarget().get(0), 1e-9);
    }

    @Test
    void shouldJudgeEveryTargetItHasFiguresFor() {
        List<Verdict> verdicts = CheckpointResults.parse(smallRun()).verdicts();

        assertEquals(4, verdicts.size(), verdicts.toString());
        assertTrue(verdicts.get(0).met(), "idle pause 5 us against 100 us");
        assertFalse(verdicts.get(1).met(), "pause 2.5 ms against 1.3 x 1.5 ms + 0.1 ms");
        assertTrue(verdicts.get(2).met(), "idle round trip 0.4 ms against 1 ms");
        assertFalse(verdicts.get(3).met(), "4096-page round trip 12 ms against 10 ms");
    }

    @Test
    void shouldComputeLoopbackBandwidthFromTheBytesOfATransfer() {
        CheckpointResults results = CheckpointResults.parse(smallRun());

        double bytes = 8 + 4096.0 * (4 + 4096);
        assertEquals(bytes / 8000e-6 / (1 << 20), results.loopbackMiBPerSecond(4096), 1e-6);
        assertTrue(Double.isNaN(results.loopbackMiBPerSecond(16)));
    }

    @Test
    void shouldRefuseTextThatIsNotAJmhResultArray() {
        assertThrows(IllegalArgumentException.class, () -> CheckpointResults.parse("{\"benchmark\":\"x\"}"));
        assertThrows(IllegalArgumentException.class, () -> CheckpointResults.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> CheckpointResults.parse(
                "[" + row("CheckpointPauseBenchmark.pause", "\"dirtyPages\":\"0\"", 1, 1, "ops/s") + "]"));
    }

    @Test
    void shouldPrintEveryPageCountAndEveryVerdictInTheReportTable() {
        String table = CheckpointReport.table(CheckpointResults.parse(smallRun()));

        assertTrue(table.contains("| 0 | 5 us | 100 us | 0.02 us | 400 us | 15 us | - | 300 us |"), table);
        assertTrue(table.contains("| 4096 | 2.5 ms | 2.05 ms | 1.5 ms | 12 ms | 8 ms | 2002 | 4 ms |"), table);
        assertTrue(table.contains("1024 MiB guest,   1 % dirty: 21 us"), table);
        assertTrue(table.contains("MISS round trip, 4096 dirty pages <= 10 ms: 12 ms (limit 10 ms)"), table);
        assertTrue(table.contains("MET  round trip, 0 dirty pages <= 1 ms: 400 us (limit 1 ms)"), table);
    }
}
