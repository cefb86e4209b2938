package dev.twinstep.core.cpu.vectors;

import java.util.ArrayList;
import java.util.List;

/** How one instruction form fared: its pass count and the first few failures in detail. */
final class FormResult {
    /** Failures kept in full per form; the report needs only a few to show the pattern. */
    static final int DETAILED_FAILURES = 4;

    final String form;
    int tests;
    int failures;
    final List<String> failureDetails = new ArrayList<>();

    FormResult(String form) {
        this.form = form;
    }

    void record(VectorCase test, List<String> differences) {
        tests++;
        if (differences.isEmpty()) {
            return;
        }
        failures++;
        if (failureDetails.size() < DETAILED_FAILURES) {
            failureDetails.add(String.format("%s test %d \"%s\" [%s]%s: %s", form, test.index, test.name,
                    test.instructionHex(), test.exceptionVector >= 0 ? " (hardware took int " + test.exceptionVector + ")" : "",
                    String.join("; ", differences)));
        }
    }

    int passed() {
        return tests - failures;
    }
}
