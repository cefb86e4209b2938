package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.benchmarks.checkpoint.CheckpointResults.Series;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Turns a JMH JSON result file of the checkpoint benchmarks into the chart ({@link CheckpointChart})
 * and a Markdown table of the medians with the targets' verdicts on standard output.
 *
 * <pre>java -cp benchmarks.jar dev.twinstep.benchmarks.checkpoint.CheckpointReport RESULT.json CHART.svg</pre>
 */
public final class CheckpointReport {
    private CheckpointReport() {
    }

    /** Arguments: the JMH JSON file to read and the SVG file to write. Exit status 2 on bad input. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CheckpointReport RESULT.json CHART.svg");
            System.exit(2);
        }
        CheckpointResults results;
        try {
            results = CheckpointResults.parse(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
            Files.writeString(Path.of(args[1]), CheckpointChart.render(results), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            System.err.println("checkpoint report: " + args[0] + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.print(table(results));
        System.out.println("chart: " + Path.of(args[1]).toAbsolutePath());
    }

    /** The medians per dirty-page count, the loopback bandwidth, the scan rows and the verdicts. */
    static String table(CheckpointResults results) {
        TreeSet<Integer> pages = new TreeSet<>();
        for (Series series : Series.values()) {
            pages.addAll(results.series(series).keySet());
        }
        StringBuilder out = new StringBuilder();
        out.append("| dirty pages | pause | pause target | memcpy limit | round trip | loopback limit | loopback MiB/s | apply |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        SortedMap<Integer, Double> pauseTarget = results.pauseTarget();
        for (int p : pages) {
            out.append("| ").append(p)
                    .append(" | ").append(cell(results.series(Series.PAUSE).get(p)))
                    .append(" | ").append(cell(pauseTarget.get(p)))
                    .append(" | ").append(cell(results.series(Series.MEMCPY_LIMIT).get(p)))
                    .append(" | ").append(cell(results.series(Series.ROUND_TRIP).get(p)))
                    .append(" | ").append(cell(results.series(Series.LOOPBACK_LIMIT).get(p)))
                    .append(" | ").append(bandwidth(results.loopbackMiBPerSecond(p), p))
                    .append(" | ").append(cell(results.series(Series.APPLY).get(p)))
                    .append(" |\n");
        }
        if (!results.scan().isEmpty()) {
            out.append("\ndirty-log scan (take-and-clear), median per take:\n");
            for (CheckpointResults.ScanRow row : results.scan()) {
                out.append(String.format(Locale.ROOT, "  %5d MiB guest, %3d %% dirty: %s%n", row.guestMiB(), row.dirtyPercent(),
                        CheckpointChart.microsLabel(row.micros())));
            }
        }
        out.append("\ntargets (medians):\n");
        for (CheckpointResults.Verdict verdict : results.verdicts()) {
            out.append(String.format(Locale.ROOT, "  %-4s %s: %s (limit %s)%n", verdict.met() ? "MET" : "MISS", verdict.target(),
                    CheckpointChart.microsLabel(verdict.measuredMicros()), CheckpointChart.microsLabel(verdict.limitMicros())));
        }
        return out.toString();
    }

    private static String cell(Double micros) {
        return micros == null ? "-" : CheckpointChart.microsLabel(micros);
    }

    private static String bandwidth(double mibPerSecond, int pages) {
        return Double.isNaN(mibPerSecond) || pages == 0 ? "-" : String.format(Locale.ROOT, "%.0f", mibPerSecond);
    }
}
