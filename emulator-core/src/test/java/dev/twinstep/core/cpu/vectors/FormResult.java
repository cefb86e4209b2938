package dev.twinstep.core.cpu.vectors;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** How one instruction form fared: its pass count and the first few failures in detail. */
final class FormResult {
    /** Failures kept in full per form; the report needs only a few to show the pattern. */
    static final int DETAILED_FAILURES = 4;

    final String form;
    int tests;
    int failures;
    final List<String> failureDetails = new ArrayList<>();
    /** Every failure as one tab-separated line: form, test index, name, bytes, differences. */
    final List<String> failureRows = new ArrayList<>();

    FormResult(String form) {
        this.form = form;
    }

    /** Failures per known 286/386 difference ({@link Known286Difference#NONE}: unexplained). */
    final Map<Known286Difference, Integer> failuresByKind = new EnumMap<>(Known286Difference.class);

    /** Records a test's outcome: {@code kind} labels a failure (ignored when the test passed). */
    void record(VectorCase test, List<String> differences, Known286Difference kind) {
        tests++;
        if (differences.isEmpty()) {
            return;
        }
        failures++;
        failuresByKind.merge(kind, 1, Integer::sum);
        failureRows.add(String.join("\t", form, Integer.toString(test.index), test.name, test.instructionHex(),
                Integer.toString(test.exceptionVector), kind.name(), String.join("; ", differences)));
        if (failureDetails.size() < DETAILED_FAILURES) {
            failureDetails.add(String.format("%s test %d \"%s\" [%s]%s {%s}: %s", form, test.index, test.name,
                    test.instructionHex(), test.exceptionVector >= 0 ? " (hardware took int " + test.exceptionVector + ")" : "",
                    kind.name(), String.join("; ", differences)));
        }
    }

    int unexplainedFailures() {
        return failuresByKind.getOrDefault(Known286Difference.NONE, 0);
    }

    int passed() {
        return tests - failures;
    }
}
