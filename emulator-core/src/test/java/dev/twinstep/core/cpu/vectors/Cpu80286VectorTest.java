package dev.twinstep.core.cpu.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the hardware-captured 80286 real-mode single-step vectors (SingleStepTests/80286, see the
 * README beside them) through the CPU: one dynamic test per instruction form, plus the overall pass
 * rate. The whole run happens once, up front, so that the report in the build directory
 * ({@code vectors-80286-report.txt}, and every failure in {@code vectors-80286-report-failures.tsv})
 * always covers every form.
 *
 * <p>A form passes when it fails no more tests than {@code known-failures.txt} allows and every
 * failure is a documented 286/386 difference ({@link Known286Difference}). The pass rate is taken
 * over the tests that apply to a 386: a test whose hardware result is one of those differences
 * (e.g. LOCK on a non-lockable instruction, which a 386 must refuse) is left out of it.
 */
class Cpu80286VectorTest {
    static final String DIRECTORY_PROPERTY = "twinstep.vectors.dir";
    static final double REQUIRED_PASS_RATE = 0.995;
    static final String REPORT_NAME = "vectors-80286-report.txt";

    @TestFactory
    Stream<DynamicTest> everyFormShouldBehaveAsTheHardwareDid() {
        Path directory = vectorDirectory();
        VectorFileReader reader = new VectorFileReader(directory);
        Map<String, Integer> undefinedFlags = reader.undefinedFlagMasks();
        KnownFailures known = KnownFailures.load();
        VectorRunner runner = new VectorRunner();

        long start = System.nanoTime();
        List<FormResult> results = new ArrayList<>();
        for (Map.Entry<String, Integer> form : undefinedFlags.entrySet()) {
            if (!Files.exists(directory.resolve(form.getKey() + ".jsonl.gz"))) {
                continue;
            }
            FormResult result = new FormResult(form.getKey());
            for (VectorCase test : reader.readForm(form.getKey())) {
                List<String> differences = runner.run(test, form.getValue());
                Known286Difference kind = differences.isEmpty() ? Known286Difference.NONE
                        : explain(runner, test, form.getValue(), differences);
                result.record(test, differences, kind);
            }
            results.add(result);
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        Path report = buildDirectory().resolve(REPORT_NAME);
        VectorReport.write(report, results, known, elapsedMillis);

        Stream<DynamicTest> perForm = results.stream().map(result -> dynamicTest(result.form, () -> {
            assertTrue(result.failures <= known.allowed(result.form), () -> String.format(
                    "%s: %d of %d tests fail, %d allowed by %s; see %s%n%s", result.form, result.failures,
                    result.tests, known.allowed(result.form), KnownFailures.RESOURCE, report,
                    String.join("\n", result.failureDetails)));
            assertEquals(0, result.unexplainedFailures(), () -> String.format(
                    "%s: %d failures are not a known 286/386 difference (kind NONE); see %s%n%s", result.form,
                    result.unexplainedFailures(), VectorReport.failureTable(report), String.join("\n", result.failureDetails)));
        }));
        DynamicTest passRate = dynamicTest("pass rate over the tests that apply to a 386", () -> {
            int tests = results.stream().mapToInt(r -> r.tests).sum();
            int passed = results.stream().mapToInt(FormResult::passed).sum();
            int notApplicable = results.stream().mapToInt(r -> r.failures - r.unexplainedFailures()).sum();
            assertTrue(tests > 0, "no vectors were run from " + directory);
            int applicable = tests - notApplicable;
            assertTrue(passed >= REQUIRED_PASS_RATE * applicable, () -> String.format(
                    "only %d of %d applicable vectors pass (%.3f%%, need %.1f%%); see %s", passed, applicable,
                    100.0 * passed / applicable, 100 * REQUIRED_PASS_RATE, report));
        });
        DynamicTest knownFormsExist = dynamicTest("known failures name only existing forms", () -> {
            for (String form : known.all().keySet()) {
                assertTrue(results.stream().anyMatch(r -> r.form.equals(form)),
                        () -> KnownFailures.RESOURCE + " lists form " + form + ", which has no vector file");
            }
        });
        return Stream.concat(perForm, Stream.of(passRate, knownFormsExist));
    }

    /**
     * Labels a failure. A 386's #SS where the 286 raised #GP is accepted only if the test passes
     * once the IVT sends both vectors to the same handler; otherwise the remaining differences are
     * added to {@code differences} and must themselves be a known difference.
     */
    private static Known286Difference explain(VectorRunner runner, VectorCase test, int undefinedFlags,
            List<String> differences) {
        int cpuVector = runner.unexpectedVector();
        Known286Difference kind = Known286Difference.classify(test, differences, cpuVector);
        if (kind != Known286Difference.STACK_LIMIT_FAULT) {
            return kind;
        }
        List<String> aliased = runner.runWithVectorAlias(test, undefinedFlags, cpuVector);
        if (aliased.isEmpty()) {
            return kind;
        }
        differences.add("with IVT[" + cpuVector + "] = IVT[" + test.exceptionVector + "]: " + String.join("; ", aliased));
        // A string word through SS at offset FFFF shows both differences at once.
        return Known286Difference.classify(test, aliased, -1) == Known286Difference.STRING_REGISTERS_STEPPED_BEFORE_FAULT
                ? Known286Difference.STRING_REGISTERS_STEPPED_BEFORE_FAULT : Known286Difference.NONE;
    }

    private static Path vectorDirectory() {
        String root = System.getProperty(DIRECTORY_PROPERTY);
        if (root == null) {
            fail("system property " + DIRECTORY_PROPERTY + " is not set; run through Maven (surefire sets it) or pass -D"
                    + DIRECTORY_PROPERTY + "=/path/to/shared/vectors");
        }
        Path directory = Path.of(root, "80286");
        if (!Files.isRegularFile(directory.resolve("flags-mask.json"))) {
            fail("80286 test vectors not found: " + directory.toAbsolutePath()
                    + " has no flags-mask.json (set -D" + DIRECTORY_PROPERTY + " to the shared/vectors directory)");
        }
        return directory;
    }

    /** The module's build directory (target-NAME with -Dtwinstep.build.dir), parent of test-classes. */
    private static Path buildDirectory() {
        try {
            Path classes = Path.of(Cpu80286VectorTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
