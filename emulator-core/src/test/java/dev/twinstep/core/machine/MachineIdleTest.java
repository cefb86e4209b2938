package dev.twinstep.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.boot.TestKernels;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A CPU halted with interrupts enabled waits for a timer or a host event instead of ending the run. */
@Timeout(30)
class MachineIdleTest {
    private static final byte[] STI_HLT_LOOP = {(byte) 0xFB, (byte) 0xF4, (byte) 0xEB, (byte) 0xFD}; // sti; hlt; jmp $-3

    private static Machine halting(ClockMode mode) throws Exception {
        Machine machine = new Machine(MachineConfig.withRam(16L * 1024 * 1024).withClock(mode));
        machine.bootMultiboot(TestKernels.aout(0x100000, STI_HLT_LOOP, 0), "idle", "");
        return machine;
    }

    @Test
    void shouldSkipVirtualTimeToTheNextDeadlineInIcountMode() throws Exception {
        Machine machine = halting(ClockMode.ICOUNT);
        long tenSeconds = 10_000_000_000L;
        machine.clock().newTimer("far", deadline -> machine.requestReset()).armAt(tenSeconds);
        RunResult result = machine.run();
        assertEquals(RunResult.Outcome.RESET, result.outcome(), result.diagnosis());
        assertEquals(tenSeconds, machine.clock().nowNanos());
        assertTrue(result.stats().instructions() < 10, "it slept rather than spun: " + result.stats().instructions());
    }

    @Test
    void shouldSleepUntilTheDeadlineInRealtimeMode() throws Exception {
        Machine machine = halting(ClockMode.REALTIME);
        machine.clock().newTimer("soon", deadline -> machine.requestReset()).armAt(50_000_000L);
        RunResult result = machine.run();
        assertEquals(RunResult.Outcome.RESET, result.outcome(), result.diagnosis());
        assertTrue(machine.clock().nowNanos() >= 50_000_000L);
        assertTrue(result.stats().instructions() < 10, "it slept rather than spun: " + result.stats().instructions());
    }

    @Test
    void shouldWakeForATaskPostedByAnotherThread() throws Exception {
        Machine machine = halting(ClockMode.REALTIME);
        machine.events().registerSource();
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(machine::run);
        Thread.sleep(50);
        machine.events().post(machine::requestReset);
        RunResult result = run.get(10, TimeUnit.SECONDS);
        assertEquals(RunResult.Outcome.RESET, result.outcome());
    }

    @Test
    void shouldStopAnIdleMachineOnAHostRequest() throws Exception {
        Machine machine = halting(ClockMode.ICOUNT);
        machine.events().registerSource(); // no timer: it waits for host input
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(machine::run);
        Thread.sleep(50);
        machine.requestStop();
        assertEquals(RunResult.Outcome.HOST_STOP, run.get(10, TimeUnit.SECONDS).outcome());
    }

    @Test
    void shouldEndASliceEarlyWhenATimerIsArmedSooner() throws Exception {
        Machine machine = new Machine(new MachineConfig(16L * 1024 * 1024, 1_000_000_000L, ClockMode.ICOUNT, 1));
        machine.bootMultiboot(TestKernels.aout(0x100000, new byte[] {(byte) 0xEB, (byte) 0xFE}, 0), "spin", ""); // jmp $
        Timer stop = machine.clock().newTimer("stop", deadline -> machine.requestReset());
        machine.clock().newTimer("arm", deadline -> stop.armAt(deadline + 1000)).armAt(1000);
        RunResult result = machine.run();
        assertEquals(RunResult.Outcome.RESET, result.outcome());
        assertTrue(machine.clock().nowNanos() < 2100, "stopped near 2000 ns, not after a whole slice: "
                + machine.clock().nowNanos());
    }
}
