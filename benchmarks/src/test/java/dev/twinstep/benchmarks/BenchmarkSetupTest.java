package dev.twinstep.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.machine.RunResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The benchmarks' set-up does what the measurements rely on; the measurements themselves are JMH's job. */
class BenchmarkSetupTest {
    @Test
    void shouldHandForksTheJvmFlagsOfTheParentPom() {
        List<String> flags = BenchmarkMain.twinstepJvmFlags();

        assertTrue(flags.contains("java.base/jdk.internal.misc=ALL-UNNAMED"), flags.toString());
        assertFalse(flags.stream().anyMatch(flag -> flag.isBlank() || flag.contains("${")), flags.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"alu", "memory", "branch"})
    void shouldRetireTheWholeBudgetInsideTheTightLoop(String kind) {
        InterpreterBenchmark.TightLoop loop = new InterpreterBenchmark.TightLoop();
        loop.kind = kind;
        loop.build();
        InterpreterBenchmark.Retired retired = new InterpreterBenchmark.Retired();

        new InterpreterBenchmark().tightLoop(loop, retired);

        // The CPU may finish the block it is in past the budget; the counter records what really retired.
        long overshoot = retired.instructions - InterpreterBenchmark.LOOP_BUDGET;
        assertTrue(overshoot >= 0 && overshoot < 8, "retired " + retired.instructions);
        int eip = loop.cpu.eip;
        assertTrue(eip >= InterpreterBenchmark.TightLoop.CODE_ADDRESS && eip < InterpreterBenchmark.TightLoop.CODE_ADDRESS + 7,
                "eip 0x" + Integer.toHexString(eip));
    }

    @Test
    void shouldRunTheBenchGuestAgainAfterEachReboot() {
        InterpreterBenchmark.WholeRun run = new InterpreterBenchmark.WholeRun();
        run.scale = 0;
        run.build();
        InterpreterBenchmark.Retired retired = new InterpreterBenchmark.Retired();
        InterpreterBenchmark benchmark = new InterpreterBenchmark();

        for (int i = 0; i < 2; i++) {
            run.boot();
            RunResult result = benchmark.benchGuestToCompletion(run, retired);
            run.checkRun();
            assertEquals(RunResult.Outcome.GUEST_EXIT, result.outcome(), result.diagnosis());
        }
        assertTrue(run.pc.serialOutput().contains("total:"), run.pc.serialOutput());
        assertTrue(retired.instructions > 0);
    }

    @Test
    void shouldRejectAnUnknownLoopKind() {
        assertThrows(IllegalArgumentException.class, () -> InterpreterBenchmark.TightLoop.loopCode("nop"));
    }
}
