package dev.twinstep.tools.demo;

import java.util.Map;

/**
 * What a process's {@code query-colo-status} said: its mode, checkpoint count and the checkpoint
 * pause and round-trip percentiles (microseconds).
 */
record ColoSnapshot(String role, String mode, long epoch, long checkpoints, Percentiles pauseMicros,
                    Percentiles roundTripMicros) {
    /** Before any answer. */
    static final ColoSnapshot NONE = new ColoSnapshot("", "none", 0, 0, Percentiles.NONE, Percentiles.NONE);

    /**
     * Median, 99th percentile and maximum of a latency, in microseconds.
     *
     * @param count how many values were recorded
     */
    record Percentiles(long count, double p50, double p99, double max) {
        static final Percentiles NONE = new Percentiles(0, 0, 0, 0);

        static Percentiles from(Object value) {
            if (!(value instanceof Map<?, ?> map)) {
                return NONE;
            }
            return new Percentiles((long) number(map.get("count")), number(map.get("p50")), number(map.get("p99")),
                    number(map.get("max")));
        }
    }

    /** Reads the reply of {@code query-colo-status}. */
    static ColoSnapshot from(Map<String, Object> status) {
        return new ColoSnapshot(String.valueOf(status.getOrDefault("role", "")),
                String.valueOf(status.getOrDefault("mode", "none")), (long) number(status.get("epoch")),
                (long) number(status.get("checkpoints")), Percentiles.from(status.get("pause-us")),
                Percentiles.from(status.get("round-trip-us")));
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : 0;
    }
}
