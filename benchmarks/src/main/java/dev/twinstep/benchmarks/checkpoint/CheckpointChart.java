package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.benchmarks.checkpoint.CheckpointResults.Series;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Draws the checkpoint figures as an SVG: dirty pages (log scale, 0 at the left) against
 * microseconds (log scale), one line per series — pause, round trip, apply, the memcpy and loopback
 * limits measured in the same run, the pause target derived from the memcpy limit — and the
 * round-trip targets as markers. Each series is a {@code <g>} whose {@code id} names it; each point
 * has a {@code <title>} with its value, which a browser shows on hover.
 */
final class CheckpointChart {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 640;
    private static final int TOP = 50;
    private static final int BOTTOM = 470;

    /** How a series is drawn: id, legend label, colour, dash pattern (null for solid), points shown. */
    private record Style(String id, String label, String colour, String dash, boolean line) {
    }

    private final List<Map.Entry<Style, SortedMap<Integer, Double>>> drawn = new ArrayList<>();
    private final StringBuilder svg = new StringBuilder();
    private double minPagesLog;
    private double maxPagesLog;
    private double minMicrosLog;
    private double maxMicrosLog;

    private CheckpointChart(CheckpointResults results) {
        add(new Style("pause", "primary pause (median)", "#1f5fbf", null, true), results.series(Series.PAUSE));
        add(new Style("round-trip", "round trip, request to loaded (median)", "#c0392b", null, true),
                results.series(Series.ROUND_TRIP));
        add(new Style("apply", "secondary validate + apply (median)", "#27864a", null, true), results.series(Series.APPLY));
        add(new Style("memcpy-limit", "memcpy of the dirty pages (limit)", "#6b7f99", "6,4", true),
                results.series(Series.MEMCPY_LIMIT));
        add(new Style("pause-target", "pause target: 1.3 x memcpy + 100 us", "#1f5fbf", "2,4", true), results.pauseTarget());
        add(new Style("loopback-limit", "loopback TCP transfer of the pages (limit)", "#d68910", "6,4", true),
                results.series(Series.LOOPBACK_LIMIT));
        add(new Style("round-trip-target", "round-trip targets (1 ms idle, 10 ms at 4096)", "#c0392b", null, false),
                CheckpointResults.roundTripTarget());
    }

    private void add(Style style, SortedMap<Integer, Double> points) {
        if (!points.isEmpty()) {
            drawn.add(Map.entry(style, points));
        }
    }

    /** The SVG document for {@code results}. */
    static String render(CheckpointResults results) {
        boolean measured = false;
        for (Series series : Series.values()) {
            measured |= !results.series(series).isEmpty();
        }
        if (!measured) {
            throw new IllegalArgumentException("the results hold none of the checkpoint benchmarks' rows");
        }
        return new CheckpointChart(results).draw();
    }

    private String draw() {
        TreeSet<Integer> pages = new TreeSet<>();
        double minMicros = Double.MAX_VALUE;
        double maxMicros = Double.MIN_VALUE;
        for (Map.Entry<Style, SortedMap<Integer, Double>> entry : drawn) {
            pages.addAll(entry.getValue().keySet());
            for (double micros : entry.getValue().values()) {
                if (micros > 0) {
                    minMicros = Math.min(minMicros, micros);
                    maxMicros = Math.max(maxMicros, micros);
                }
            }
        }
        if (maxMicros < minMicros) {
            throw new IllegalArgumentException("the results hold no positive time to draw");
        }
        minPagesLog = pagesLog(pages.first()) - 0.5;
        maxPagesLog = Math.max(pagesLog(pages.last()), minPagesLog + 1) + 0.5;
        minMicrosLog = Math.floor(Math.log10(minMicros));
        maxMicrosLog = Math.max(Math.ceil(Math.log10(maxMicros)), minMicrosLog + 1);

        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(LEFT, 28, "Twinstep COLO checkpoint latency against dirty pages (medians, loopback TCP)", "start", 15);
        axes(pages);
        for (Map.Entry<Style, SortedMap<Integer, Double>> entry : drawn) {
            series(entry.getKey(), entry.getValue());
        }
        legend();
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void axes(TreeSet<Integer> pages) {
        svg.append("<g id=\"axes\">\n");
        line(LEFT, BOTTOM, RIGHT, BOTTOM, "#333");
        line(LEFT, TOP, LEFT, BOTTOM, "#333");
        for (int decade = (int) minMicrosLog; decade <= (int) maxMicrosLog; decade++) {
            double y = y(Math.pow(10, decade));
            line(LEFT, y, RIGHT, y, "#e3e3e3");
            text(LEFT - 6, y + 4, microsLabel(Math.pow(10, decade)), "end", 11);
        }
        for (int p : pages) {
            double x = x(p);
            line(x, TOP, x, BOTTOM, "#efefef");
            text(x, BOTTOM + 16, Integer.toString(p), "middle", 11);
        }
        svg.append("</g>\n");
        text((LEFT + RIGHT) / 2.0, BOTTOM + 40, "dirty pages of 4 KiB per checkpoint (log scale)", "middle", 12);
        svg.append(String.format(Locale.ROOT, "<text x=\"22\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\""
                + " transform=\"rotate(-90 22 %.1f)\">time per checkpoint (log scale)</text>%n",
                (TOP + BOTTOM) / 2.0, (TOP + BOTTOM) / 2.0));
    }

    private void series(Style style, SortedMap<Integer, Double> points) {
        svg.append("<g class=\"series\" id=\"").append(style.id()).append("\">\n");
        if (style.line() && points.size() > 1) {
            svg.append("<polyline fill=\"none\" stroke=\"").append(style.colour()).append("\" stroke-width=\"2\"");
            if (style.dash() != null) {
                svg.append(" stroke-dasharray=\"").append(style.dash()).append('"');
            }
            svg.append(" points=\"");
            points.forEach((p, micros) -> svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(p), y(micros))));
            svg.append("\"/>\n");
        }
        points.forEach((p, micros) -> {
            String title = style.label() + ": " + p + " pages, " + microsLabel(micros);
            if (style.line()) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s</title></circle>%n",
                        x(p), y(micros), style.colour(), title));
            } else {
                double cx = x(p);
                double cy = y(micros);
                svg.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1f L%.1f %.1f L%.1f %.1f L%.1f %.1f Z\" fill=\"none\""
                        + " stroke=\"%s\" stroke-width=\"2\"><title>%s</title></path>%n",
                        cx, cy - 7, cx + 7, cy, cx, cy + 7, cx - 7, cy, style.colour(), title));
            }
        });
        svg.append("</g>\n");
    }

    private void legend() {
        svg.append("<g id=\"legend\">\n");
        double y = TOP + 10;
        for (Map.Entry<Style, SortedMap<Integer, Double>> entry : drawn) {
            Style style = entry.getKey();
            if (style.line()) {
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\""
                        + " stroke-width=\"2\"%s/>%n", RIGHT + 16, y, RIGHT + 44, y, style.colour(),
                        style.dash() == null ? "" : " stroke-dasharray=\"" + style.dash() + "\""));
            } else {
                svg.append(String.format(Locale.ROOT, "<path d=\"M%d %.1f L%d %.1f L%d %.1f L%d %.1f Z\" fill=\"none\""
                        + " stroke=\"%s\" stroke-width=\"2\"/>%n", RIGHT + 30, y - 6, RIGHT + 36, y, RIGHT + 30, y + 6,
                        RIGHT + 24, y, style.colour()));
            }
            text(RIGHT + 50, y + 4, style.label(), "start", 11);
            y += 22;
        }
        svg.append("</g>\n");
    }

    private double pagesLog(int pages) {
        return pages <= 0 ? 0 : Math.log(pages) / Math.log(2);
    }

    private double x(int pages) {
        return LEFT + (pagesLog(pages) - minPagesLog) / (maxPagesLog - minPagesLog) * (RIGHT - LEFT);
    }

    private double y(double micros) {
        double log = Math.log10(Math.max(micros, Math.pow(10, minMicrosLog)));
        return BOTTOM - (log - minMicrosLog) / (maxMicrosLog - minMicrosLog) * (BOTTOM - TOP);
    }

    private void line(double x1, double y1, double x2, double y2, String colour) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, colour));
    }

    private void text(double x, double y, String content, String anchor, int size) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x, y, anchor, size, content));
    }

    /** A duration for a human: 0.05 us, 12 us, 1.5 ms, 2 s. */
    static String microsLabel(double micros) {
        if (micros >= 1e6) {
            return trim(micros / 1e6) + " s";
        }
        if (micros >= 1e3) {
            return trim(micros / 1e3) + " ms";
        }
        return trim(micros) + " us";
    }

    private static String trim(double value) {
        String text = value >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : value >= 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.3g", value);
        return text.contains(".") && !text.contains("e") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }
}
