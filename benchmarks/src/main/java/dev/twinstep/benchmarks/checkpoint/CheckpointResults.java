package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.tools.control.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The medians of a checkpoint benchmark run, read from JMH's JSON result file ({@code -rf json}), in
 * microseconds per operation against the number of dirty pages, and the targets judged
 * against them. The median of a {@code SampleTime} benchmark is that of its single calls; of an
 * average-time one (the dirty-log scan), that of its iterations.
 */
final class CheckpointResults {
    /** Pause target: at most this many times the memcpy of the dirty pages... */
    static final double PAUSE_MEMCPY_FACTOR = 1.3;
    /** ...plus this many microseconds. */
    static final double PAUSE_ALLOWANCE_MICROS = 100;
    /** Round-trip targets: dirty pages and the most microseconds allowed. */
    static final int[][] ROUND_TRIP_TARGETS = {{0, 1_000}, {4096, 10_000}};

    /** What was measured, and the JMH benchmark method (class and method name) that measures it. */
    enum Series {
        PAUSE("CheckpointPauseBenchmark.pause"),
        ROUND_TRIP("CheckpointRoundTripBenchmark.roundTrip"),
        APPLY("CheckpointApplyBenchmark.apply"),
        MEMCPY_LIMIT("CheckpointLimitsBenchmark.memcpy"),
        LOOPBACK_LIMIT("CheckpointLimitsBenchmark.loopback");

        final String method;

        Series(String method) {
            this.method = method;
        }
    }

    /** One target and how the run fared. */
    record Verdict(String target, double measuredMicros, double limitMicros) {
        /** Whether the measured median is within the limit. */
        boolean met() {
            return measuredMicros <= limitMicros;
        }
    }

    /** A row of the dirty-log scan: guest size, dirty share and the median microseconds of one take. */
    record ScanRow(int guestMiB, int dirtyPercent, double micros) {
    }

    private final Map<Series, SortedMap<Integer, Double>> medians = new EnumMap<>(Series.class);
    private final List<ScanRow> scan = new ArrayList<>();

    private CheckpointResults() {
        for (Series series : Series.values()) {
            medians.put(series, new TreeMap<>());
        }
    }

    /**
     * Reads a JMH JSON result file; rows of other benchmarks are ignored.
     *
     * @throws IllegalArgumentException when the text is not a JMH result array
     */
    static CheckpointResults parse(String json) {
        Object root;
        try {
            root = Json.parse(json);
        } catch (Json.ParseException e) {
            throw new IllegalArgumentException("not a JMH JSON result file: " + e.getMessage(), e);
        }
        if (!(root instanceof List<?> rows)) {
            throw new IllegalArgumentException("not a JMH JSON result file: the top level is not an array");
        }
        CheckpointResults results = new CheckpointResults();
        for (Object row : rows) {
            results.add(asMap(row, "a result"));
        }
        return results;
    }

    private void add(Map<?, ?> row) {
        String benchmark = String.valueOf(row.get("benchmark"));
        Map<?, ?> params = row.get("params") instanceof Map<?, ?> map ? map : Map.of();
        Map<?, ?> metric = asMap(row.get("primaryMetric"), "primaryMetric of " + benchmark);
        double micros = median(metric) * microsPer(String.valueOf(metric.get("scoreUnit")), benchmark);
        for (Series series : Series.values()) {
            if (benchmark.endsWith("." + series.method)) {
                medians.get(series).put(intParam(params, "dirtyPages", benchmark), micros);
                return;
            }
        }
        if (benchmark.endsWith("DirtyLogScanBenchmark.takeAndClear")) {
            scan.add(new ScanRow(intParam(params, "guestMiB", benchmark), intParam(params, "dirtyPercent", benchmark),
                    micros));
        }
    }

    private static double median(Map<?, ?> metric) {
        Object percentiles = metric.get("scorePercentiles");
        if (percentiles instanceof Map<?, ?> map && map.get("50.0") instanceof Number median) {
            return median.doubleValue();
        }
        if (metric.get("score") instanceof Number score) {
            return score.doubleValue();
        }
        throw new IllegalArgumentException("a result has neither a median nor a score");
    }

    private static double microsPer(String unit, String benchmark) {
        return switch (unit) {
            case "ns/op" -> 1e-3;
            case "us/op" -> 1;
            case "ms/op" -> 1e3;
            case "s/op" -> 1e6;
            default -> throw new IllegalArgumentException(benchmark + " is in " + unit + ", not a time per operation");
        };
    }

    private static int intParam(Map<?, ?> params, String name, String benchmark) {
        Object value = params.get(name);
        if (value == null) {
            throw new IllegalArgumentException(benchmark + " has no parameter " + name);
        }
        return Integer.parseInt(String.valueOf(value));
    }

    private static Map<?, ?> asMap(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return map;
        }
        throw new IllegalArgumentException("not a JMH JSON result file: " + what + " is not an object");
    }

    /** The medians of one series, in microseconds, by dirty pages (empty if it was not run). */
    SortedMap<Integer, Double> series(Series series) {
        return Collections.unmodifiableSortedMap(medians.get(series));
    }

    /** The pause target per dirty-page count: 1.3 x the memcpy median + 100 us. */
    SortedMap<Integer, Double> pauseTarget() {
        SortedMap<Integer, Double> target = new TreeMap<>();
        medians.get(Series.MEMCPY_LIMIT).forEach((pages, micros) ->
                target.put(pages, PAUSE_MEMCPY_FACTOR * micros + PAUSE_ALLOWANCE_MICROS));
        return target;
    }

    /** The round-trip targets by dirty pages, in microseconds. */
    static SortedMap<Integer, Double> roundTripTarget() {
        SortedMap<Integer, Double> target = new TreeMap<>();
        for (int[] t : ROUND_TRIP_TARGETS) {
            target.put(t[0], (double) t[1]);
        }
        return target;
    }

    /** The loopback bandwidth the {@code dirtyPages} row implies, in MiB/s (NaN without that row). */
    double loopbackMiBPerSecond(int dirtyPages) {
        Double micros = medians.get(Series.LOOPBACK_LIMIT).get(dirtyPages);
        return micros == null ? Double.NaN
                : CheckpointLimitsBenchmark.transferBytes(dirtyPages) / (micros * 1e-6) / (1 << 20);
    }

    /** The dirty-log scan rows, in file order. */
    List<ScanRow> scan() {
        return Collections.unmodifiableList(scan);
    }

    /** Every target for which the run has the figures, in the order. */
    List<Verdict> verdicts() {
        List<Verdict> verdicts = new ArrayList<>();
        SortedMap<Integer, Double> pause = medians.get(Series.PAUSE);
        pauseTarget().forEach((pages, limit) -> {
            Double measured = pause.get(pages);
            if (measured != null) {
                verdicts.add(new Verdict("pause, " + pages + " dirty pages <= 1.3 x memcpy + 100 us", measured, limit));
            }
        });
        SortedMap<Integer, Double> roundTrip = medians.get(Series.ROUND_TRIP);
        roundTripTarget().forEach((pages, limit) -> {
            Double measured = roundTrip.get(pages);
            if (measured != null) {
                verdicts.add(new Verdict("round trip, " + pages + " dirty pages <= " + Math.round(limit / 1000) + " ms",
                        measured, limit));
            }
        });
        return verdicts;
    }
}
