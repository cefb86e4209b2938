package dev.twinstep.core.cpu.vectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;

/** Writes the human-readable result of a vector run: totals, per-form counts, failure details. */
final class VectorReport {
    private VectorReport() {
    }

    /** The tab-separated list of every failing test, written beside the report. */
    static Path failureTable(Path report) {
        return report.resolveSibling(report.getFileName().toString().replace(".txt", "-failures.tsv"));
    }

    static void write(Path file, Collection<FormResult> results, KnownFailures known, long elapsedMillis) {
        int tests = 0;
        int failures = 0;
        for (FormResult result : results) {
            tests += result.tests;
            failures += result.failures;
        }
        int unexplained = 0;
        for (FormResult result : results) {
            unexplained += result.unexplainedFailures();
        }
        int applicable = tests - (failures - unexplained);
        StringBuilder text = new StringBuilder();
        text.append(String.format("80286 real-mode vectors: %d of %d tests pass (%.3f%%), %d forms, %d ms%n",
                tests - failures, tests, 100.0 * (tests - failures) / Math.max(1, tests), results.size(), elapsedMillis));
        text.append(String.format("Leaving out the %d tests whose result is a known 286/386 difference: %d of %d pass (%.3f%%)%n",
                tests - applicable, tests - failures, applicable, 100.0 * (tests - failures) / Math.max(1, applicable)));
        Map<Known286Difference, Integer> byKind = new EnumMap<>(Known286Difference.class);
        for (FormResult result : results) {
            result.failuresByKind.forEach((kind, count) -> byKind.merge(kind, count, Integer::sum));
        }
        text.append(String.format("%nFailures by kind%n"));
        byKind.forEach((kind, count) -> text.append(String.format("%6d  %-38s %s%n", count, kind.name(), kind.reason)));
        text.append(String.format("%nform      passed/tests  allowed  unexplained  status%n"));
        for (FormResult result : results) {
            int allowed = known.allowed(result.form);
            String status = result.failures == 0 ? (allowed > 0 ? "passes: known failure can be removed" : "ok")
                    : result.failures > allowed ? "FAIL" : result.failures < allowed ? "known (fewer than listed)" : "known";
            text.append(String.format("%-8s  %4d/%-4d     %4d         %4d    %s%n", result.form, result.passed(),
                    result.tests, allowed, result.unexplainedFailures(), status));
        }
        text.append(String.format("%nFailure details (first %d per form)%n", FormResult.DETAILED_FAILURES));
        for (FormResult result : results) {
            if (result.failures == 0) {
                continue;
            }
            text.append(String.format("%n== %s: %d failing%s%n", result.form, result.failures,
                    known.allowed(result.form) > 0 ? " (known: " + known.reason(result.form) + ")" : ""));
            for (String detail : result.failureDetails) {
                text.append("  ").append(detail).append('\n');
            }
        }
        StringBuilder rows = new StringBuilder("form\tindex\tname\tbytes\thardware_interrupt\tkind\tdifferences\n");
        for (FormResult result : results) {
            for (String row : result.failureRows) {
                rows.append(row).append('\n');
            }
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            Files.writeString(failureTable(file), rows, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the vector report " + file, e);
        }
    }
}
