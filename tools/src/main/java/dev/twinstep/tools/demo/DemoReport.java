package dev.twinstep.tools.demo;

import dev.twinstep.tools.control.Json;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The failover demo's report: the load's counts, each kill with the gap the clients saw, the
 * checkpoint figures of each killed primary, and the three consistency checks with the verdict.
 * Rendered as text or as JSON with the same content.
 */
final class DemoReport {
    private static final Pattern LINE_TIME = Pattern.compile("twinstep: (\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");
    private static final Pattern TAKE_OVER = Pattern.compile(".*TAKING OVER \\((.*)\\): resuming the guest from checkpoint (\\d+).*");

    /**
     * One kill as the report shows it (times in milliseconds; "before" values are negative).
     *
     * @param killAtMillis          the kill, from the start of the load
     * @param lastAnswerMillis      the last answer before the clients' silence, relative to the kill (a reply
     *                              already on its way can arrive just after it)
     * @param firstAnswerMillis     the first answer after it, relative to the kill
     * @param gapMillis             the silence, or -1 when no answer came after the kill
     * @param longestClientWaitMillis the longest silence one client saw around the kill
     * @param takeOverMillis        the survivor's take-over line, relative to the kill (NaN if unknown)
     * @param endpointMillis        its "network endpoint taken over" line, relative to the kill (NaN if unknown)
     */
    record KillFigures(String victim, long pid, double killAtMillis, ColoSnapshot before, String survivor,
                       String takeOverReason, long resumedFromCheckpoint, double takeOverMillis,
                       double endpointMillis, double lastAnswerMillis,
                       double firstAnswerMillis, double gapMillis, double longestClientWaitMillis,
                       String reprotectedBy) {
    }

    private final FailoverDemo.Settings settings;
    private final FailoverDemo.Outcome outcome;
    private final List<KillFigures> kills = new ArrayList<>();

    DemoReport(FailoverDemo.Settings settings, FailoverDemo.Outcome outcome) {
        this.settings = settings;
        this.outcome = outcome;
        for (FailoverDemo.Kill kill : outcome.kills()) {
            kills.add(figures(kill));
        }
    }

    private KillFigures figures(FailoverDemo.Kill kill) {
        double last = 0, first = 0, gap = -1, longestClient = -1;
        DemoLoad.Result load = outcome.load();
        if (load != null) {
            AnswerTimeline.Silence silence = load.all().silenceAround(kill.killNanos(), FailoverDemo.STRAGGLER_NANOS);
            if (silence != null) {
                last = millis(silence.lastAnswerNanos() - kill.killNanos());
                first = millis(silence.firstAnswerNanos() - kill.killNanos());
                gap = millis(silence.lengthNanos());
            }
            for (AnswerTimeline client : load.perClient()) {
                AnswerTimeline.Silence own = client.silenceAround(kill.killNanos(), FailoverDemo.STRAGGLER_NANOS);
                if (own != null) {
                    longestClient = Math.max(longestClient, millis(own.lengthNanos()));
                }
            }
        }
        String reason = "";
        long checkpoint = -1;
        Matcher m = TAKE_OVER.matcher(kill.takeOverLine());
        if (m.matches()) {
            reason = m.group(1);
            checkpoint = Long.parseLong(m.group(2));
        }
        return new KillFigures(kill.victim(), kill.pid(), millis(kill.killNanos() - outcome.loadStartNanos()),
                kill.before(), kill.survivor(), reason, checkpoint, sinceKill(kill, kill.takeOverLine()),
                sinceKill(kill, kill.endpointLine()), last, first, gap, longestClient, kill.reprotectedBy());
    }

    /** The time stamp of a child's log line, in milliseconds after the kill; NaN without one. */
    private static double sinceKill(FailoverDemo.Kill kill, String line) {
        Matcher m = line == null ? null : LINE_TIME.matcher(line);
        if (m == null || !m.lookingAt()) {
            return Double.NaN;
        }
        long nanos = Duration.between(kill.killClock(), LocalTime.parse(m.group(1))).toNanos();
        if (nanos < -Duration.ofHours(12).toNanos()) {
            nanos += Duration.ofDays(1).toNanos(); // the line is from just after midnight
        }
        return millis(nanos);
    }

    /** The kills with their figures. */
    List<KillFigures> kills() {
        return kills;
    }

    /** Whether every acknowledged write was read back after the failovers. */
    boolean writesPresent() {
        DemoLoad.Result load = outcome.load();
        return load != null && load.writesMissing() == 0 && load.unverified() == 0 && load.writesChecked() > 0;
    }

    /** Whether every counter equals the INCRs acknowledged on it. */
    boolean incrsExactlyOnce() {
        DemoLoad.Result load = outcome.load();
        return load != null && load.countersWrong() == 0 && load.unverified() == 0 && load.countersChecked() > 0
                && load.incrsAcknowledged() > 0;
    }

    /** Whether no reply contradicted the model. */
    boolean noContradiction() {
        DemoLoad.Result load = outcome.load();
        return load != null && load.contradictions() == 0 && load.acknowledged() > 0;
    }

    /** PASS: the demo ran to the end, every kill was survived, and all three checks hold. */
    boolean passed() {
        DemoLoad.Result load = outcome.load();
        boolean everyGapClosed = kills.size() == settings.kills() && kills.stream().allMatch(k -> k.gapMillis() >= 0);
        return outcome.error() == null && load != null && load.failures().isEmpty() && everyGapClosed
                && writesPresent() && incrsExactlyOnce() && noContradiction();
    }

    /** The report as text; {@code dirNote} says where the logs are. */
    String text(String dirNote) {
        StringBuilder out = new StringBuilder();
        String nl = System.lineSeparator();
        out.append(nl).append("Failover demo: ").append(passed() ? "PASS" : "FAIL").append(nl);
        if (outcome.error() != null) {
            out.append("  error: ").append(outcome.error()).append(nl);
        }
        DemoLoad.Result load = outcome.load();
        if (load != null) {
            out.append(format("  load         %d clients for %.1f s: %d requests sent, %d acknowledged, %d retried "
                            + "(%d resent datagrams), %d unresolved%n", settings.clients(), seconds(),
                    load.requests(), load.acknowledged(), load.requestsRetried(), load.resends(), load.unresolved()));
        }
        for (int i = 0; i < kills.size(); i++) {
            KillFigures k = kills.get(i);
            out.append(format("  kill %-7d SIGKILL %s (pid %d) at %.2f s, %s at epoch %d%n", i + 1, k.victim(), k.pid(),
                    k.killAtMillis() / 1000, k.before().mode(), k.before().epoch()));
            if (k.gapMillis() >= 0) {
                String last = k.lastAnswerMillis() <= 0 ? format("%.0f ms before the kill", -k.lastAnswerMillis())
                        : format("%.0f ms after the kill, already on its way", k.lastAnswerMillis());
                out.append(format("               gap the clients saw: %.0f ms (last answer %s, first %.0f ms after); "
                                + "longest wait of one client %.0f ms%n", k.gapMillis(), last, k.firstAnswerMillis(),
                        k.longestClientWaitMillis()));
            } else {
                out.append("               gap: no answer after the kill").append(nl);
            }
            if (Double.isNaN(k.takeOverMillis())) {
                out.append(format("               %s did not take over%n", k.survivor()));
            } else {
                String endpoint = Double.isNaN(k.endpointMillis()) ? "never had the network endpoint"
                        : format("had the network endpoint at %.0f ms", k.endpointMillis());
                out.append(format("               %s took over %.0f ms after the kill (%s) from checkpoint %d, %s%s%n",
                        k.survivor(), k.takeOverMillis(), k.takeOverReason(), k.resumedFromCheckpoint(), endpoint,
                        k.reprotectedBy() == null ? "" : "; re-protected by " + k.reprotectedBy()));
            }
            ColoSnapshot s = k.before();
            out.append(format("               %s: %d checkpoints every %d ms, pause median %.0f us, p99 %.0f us, "
                            + "max %.0f us; round trip median %.0f us, p99 %.0f us%n", k.victim(), s.checkpoints(),
                    settings.checkpointInterval().toMillis(), s.pauseMicros().p50(), s.pauseMicros().p99(),
                    s.pauseMicros().max(), s.roundTripMicros().p50(), s.roundTripMicros().p99()));
        }
        out.append(format("  checkpoints  %d by the primaries before they were killed%s%n", totalCheckpoints(), kills.size() > 1
                ? format("; pause median %.0f us, p99 %.0f us (worst primary)", worstPause(false), worstPause(true)) : ""));
        if (load != null) {
            out.append("  checks").append(nl);
            out.append(format("    %s  every acknowledged write present after failover (%d key reads after each kill and at the "
                    + "end, %d missing)%n",
                    mark(writesPresent()), load.writesChecked(), load.writesMissing()));
            out.append(format("    %s  each INCR counted exactly once (%d counter reads for %d acknowledged INCRs, "
                    + "%d wrong)%n", mark(incrsExactlyOnce()), load.countersChecked(), load.incrsAcknowledged(),
                    load.countersWrong()));
            out.append(format("    %s  no reply contradicted (%d replies checked, %d contradictions)%n",
                    mark(noContradiction()), load.acknowledged(), load.contradictions()));
            if (load.unverified() > 0) {
                out.append(format("    %d keys could not be read back%n", load.unverified()));
            }
            for (String failure : load.failures()) {
                out.append("    client failed: ").append(failure).append(nl);
            }
            for (String problem : load.problems()) {
                out.append("    ").append(problem).append(nl);
            }
        }
        out.append(format("  seed %d; %s%n", settings.seed(), dirNote));
        return out.toString();
    }

    /** The report as one JSON object; {@code dirNote} says where the logs are. */
    String json(String dirNote) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("verdict", passed() ? "PASS" : "FAIL");
        root.put("error", outcome.error());
        root.put("seed", settings.seed());
        root.put("clients", settings.clients());
        root.put("checkpoint-interval-ms", settings.checkpointInterval().toMillis());
        root.put("load-seconds", round(seconds()));
        DemoLoad.Result load = outcome.load();
        Map<String, Object> requests = new LinkedHashMap<>();
        if (load != null) {
            requests.put("sent", load.requests());
            requests.put("acknowledged", load.acknowledged());
            requests.put("retried", load.requestsRetried());
            requests.put("resent-datagrams", load.resends());
            requests.put("unresolved", load.unresolved());
            requests.put("incr-acknowledged", load.incrsAcknowledged());
        }
        root.put("requests", requests);
        List<Object> killList = new ArrayList<>();
        for (KillFigures k : kills) {
            Map<String, Object> kill = new LinkedHashMap<>();
            kill.put("victim", k.victim());
            kill.put("pid", k.pid());
            kill.put("at-ms", round(k.killAtMillis()));
            kill.put("mode-before", k.before().mode());
            kill.put("epoch-before", k.before().epoch());
            kill.put("gap-ms", round(k.gapMillis()));
            kill.put("last-answer-before-ms", round(-k.lastAnswerMillis()));
            kill.put("first-answer-after-ms", round(k.firstAnswerMillis()));
            kill.put("longest-client-wait-ms", round(k.longestClientWaitMillis()));
            kill.put("survivor", k.survivor());
            kill.put("take-over-reason", k.takeOverReason());
            kill.put("resumed-from-checkpoint", k.resumedFromCheckpoint());
            kill.put("take-over-ms", finite(k.takeOverMillis()));
            kill.put("endpoint-ms", finite(k.endpointMillis()));
            kill.put("checkpoints", k.before().checkpoints());
            kill.put("pause-us", percentiles(k.before().pauseMicros()));
            kill.put("round-trip-us", percentiles(k.before().roundTripMicros()));
            kill.put("reprotected-by", k.reprotectedBy());
            killList.add(kill);
        }
        root.put("kills", killList);
        root.put("checkpoints", totalCheckpoints());
        Map<String, Object> pause = new LinkedHashMap<>();
        pause.put("p50", worstPause(false));
        pause.put("p99", worstPause(true));
        root.put("pause-us", pause);
        Map<String, Object> roundTrip = new LinkedHashMap<>();
        roundTrip.put("p50", worst(k -> k.roundTripMicros().p50()));
        roundTrip.put("p99", worst(k -> k.roundTripMicros().p99()));
        root.put("round-trip-us", roundTrip);
        Map<String, Object> checks = new LinkedHashMap<>();
        if (load != null) {
            checks.put("acknowledged-writes-present", check(writesPresent(), "checked", load.writesChecked(), "missing",
                    load.writesMissing()));
            checks.put("incr-exactly-once", check(incrsExactlyOnce(), "checked", load.countersChecked(), "wrong",
                    load.countersWrong()));
            checks.put("no-contradicted-reply", check(noContradiction(), "checked", load.acknowledged(),
                    "contradictions", load.contradictions()));
            checks.put("unverified-keys", load.unverified());
            checks.put("client-failures", load.failures());
            checks.put("problems", load.problems());
        }
        root.put("checks", checks);
        root.put("dir", dirNote);
        return Json.write(root);
    }

    private long totalCheckpoints() {
        long total = 0;
        for (KillFigures k : kills) {
            total += k.before().checkpoints();
        }
        return total;
    }

    private double worstPause(boolean p99) {
        return worst(s -> p99 ? s.pauseMicros().p99() : s.pauseMicros().p50());
    }

    /** The largest of a figure over the killed primaries (percentiles of separate runs do not combine). */
    private double worst(ToDoubleFunction<ColoSnapshot> figure) {
        double worst = 0;
        for (KillFigures k : kills) {
            worst = Math.max(worst, figure.applyAsDouble(k.before()));
        }
        return worst;
    }

    private double seconds() {
        return outcome.loadStartNanos() == 0 ? 0 : (outcome.loadEndNanos() - outcome.loadStartNanos()) / 1e9;
    }

    private static Map<String, Object> percentiles(ColoSnapshot.Percentiles p) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("count", p.count());
        map.put("p50", p.p50());
        map.put("p99", p.p99());
        map.put("max", p.max());
        return map;
    }

    private static Map<String, Object> check(boolean pass, String checkedName, long checked, String badName, long bad) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("pass", pass);
        map.put(checkedName, checked);
        map.put(badName, bad);
        return map;
    }

    private static String mark(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    /** JSON has no NaN: an unknown time is null. */
    private static Object finite(double millis) {
        return Double.isNaN(millis) ? null : round(millis);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
