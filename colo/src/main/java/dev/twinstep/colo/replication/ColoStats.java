package dev.twinstep.colo.replication;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Counters and latency histograms of one replication end, for {@code query-colo-status} and the
 * demo's report. Written by the replication thread, read by control threads: every access holds the
 * object's lock (a few times per checkpoint, far from any hot path).
 */
public final class ColoStats {
    private static final long MAX_NANOS = 60_000_000_000L;

    private final Histogram pauseNanos = new Histogram(MAX_NANOS, 3);
    private final Histogram roundTripNanos = new Histogram(MAX_NANOS, 3);
    private final Histogram applyNanos = new Histogram(MAX_NANOS, 3);
    private long checkpoints;
    private long pagesSent;
    private long bytesSent;
    private long lastEpoch;
    private long syncs;
    private String mode = "none";
    private String failoverReason = "";

    /** A checkpoint of the primary: its pause, round trip (request to loaded) and size. */
    public synchronized void recordCheckpoint(long epoch, long pause, long roundTrip, int pages, long bytes) {
        checkpoints++;
        lastEpoch = epoch;
        pauseNanos.recordValue(Math.min(pause, MAX_NANOS));
        roundTripNanos.recordValue(Math.min(roundTrip, MAX_NANOS));
        pagesSent += pages;
        bytesSent += bytes;
    }

    /** A checkpoint applied by the secondary, and how long receiving-to-loaded took. */
    public synchronized void recordApplied(long epoch, int pages, long apply) {
        checkpoints++;
        lastEpoch = epoch;
        pagesSent += pages;
        applyNanos.recordValue(Math.min(apply, MAX_NANOS));
    }

    /** A completed initial sync of {@code bytes}. */
    public synchronized void recordSync(long bytes) {
        syncs++;
        bytesSent += bytes;
    }

    /** The replication mode now: none, syncing, protected, unprotected, failed-over. */
    public synchronized void setMode(String mode) {
        this.mode = mode;
    }

    /** The mode now. */
    public synchronized String mode() {
        return mode;
    }

    /** Why replication ended or the secondary took over. */
    public synchronized void setFailoverReason(String reason) {
        this.failoverReason = reason;
    }

    /** Checkpoints done so far. */
    public synchronized long checkpoints() {
        return checkpoints;
    }

    /** The last epoch sent (primary) or applied (secondary). */
    public synchronized long lastEpoch() {
        return lastEpoch;
    }

    /** A checkpoint pause percentile in microseconds (0 when none yet). */
    public synchronized double pauseMicros(double percentile) {
        return pauseNanos.getTotalCount() == 0 ? 0 : pauseNanos.getValueAtPercentile(percentile) / 1000.0;
    }

    /** A checkpoint round-trip percentile in microseconds (0 when none yet). */
    public synchronized double roundTripMicros(double percentile) {
        return roundTripNanos.getTotalCount() == 0 ? 0 : roundTripNanos.getValueAtPercentile(percentile) / 1000.0;
    }

    /** A JSON-ready view of everything. */
    public synchronized Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("mode", mode);
        map.put("epoch", lastEpoch);
        map.put("checkpoints", checkpoints);
        map.put("initial-syncs", syncs);
        map.put("pages", pagesSent);
        map.put("bytes", bytesSent);
        map.put("pause-us", percentiles(pauseNanos));
        map.put("round-trip-us", percentiles(roundTripNanos));
        map.put("apply-us", percentiles(applyNanos));
        map.put("failover-reason", failoverReason);
        return map;
    }

    private static Map<String, Object> percentiles(Histogram histogram) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("count", histogram.getTotalCount());
        for (double p : new double[] {50, 99, 100}) {
            long value = histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(p);
            map.put(p == 100 ? "max" : "p" + (int) p, Math.round(value / 100.0) / 10.0);
        }
        return map;
    }
}
