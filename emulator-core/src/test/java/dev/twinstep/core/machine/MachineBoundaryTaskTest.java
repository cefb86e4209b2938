package dev.twinstep.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.boot.BootException;
import dev.twinstep.core.boot.TestKernels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MachineBoundaryTaskTest {
    private static final int LOAD = 0x100000;

    private static Machine spinningMachine() throws BootException {
        Machine machine = new Machine(MachineConfig.withRam(16L * 1024 * 1024));
        machine.bootMultiboot(TestKernels.aout(LOAD, new byte[] {0x40, (byte) 0xEB, (byte) 0xFD}, 0), "test", ""); // inc eax; jmp
        return machine;
    }

    private static CompletableFuture<RunResult> start(Machine machine, AtomicReference<Thread> machineThread) {
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> {
            machineThread.set(Thread.currentThread());
            return machine.run();
        });
        while (machine.cpu().instructionCount == 0) {
            Thread.onSpinWait();
        }
        return run;
    }

    @Test
    void shouldRunTheTaskOnTheMachineThreadWhileTheGuestStandsStill() throws Exception {
        Machine machine = spinningMachine();
        AtomicReference<Thread> machineThread = new AtomicReference<>();
        CompletableFuture<RunResult> run = start(machine, machineThread);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        long[] counts = new long[2];
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        machine.atBoundary(() -> {
            ranOn.set(Thread.currentThread());
            counts[0] = machine.cpu().instructionCount;
            try {
                Thread.sleep(20);
                machine.saveDeviceState(state); // allowed from a boundary task without a pause
            } catch (InterruptedException | IOException e) {
                throw new IllegalStateException(e);
            }
            counts[1] = machine.cpu().instructionCount;
        });
        assertSame(machineThread.get(), ranOn.get());
        assertEquals(counts[0], counts[1], "no instruction retires while the task runs");
        assertTrue(state.size() > 0);
        long after = machine.cpu().instructionCount;
        while (machine.cpu().instructionCount == after) {
            Thread.onSpinWait(); // and the guest runs on afterwards
        }
        machine.requestStop();
        assertEquals(RunResult.Outcome.HOST_STOP, run.get(10, TimeUnit.SECONDS).outcome());
    }

    @Test
    void shouldRunTheTaskWhilePausedAndStayPaused() throws Exception {
        Machine machine = spinningMachine();
        CompletableFuture<RunResult> run = start(machine, new AtomicReference<>());
        machine.pause();
        long atPause = machine.cpu().instructionCount;
        boolean[] ran = new boolean[1];
        machine.atBoundary(() -> ran[0] = true);
        assertTrue(ran[0]);
        assertTrue(machine.isPaused());
        Thread.sleep(20);
        assertEquals(atPause, machine.cpu().instructionCount, "still paused after the task");
        machine.requestStop();
        run.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRunTheTaskAtOnceWhenTheMachineIsNotRunning() throws Exception {
        Machine machine = spinningMachine();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        machine.atBoundary(() -> ranOn.set(Thread.currentThread()));
        assertSame(Thread.currentThread(), ranOn.get());
    }

    @Test
    void shouldHandTheTaskFailureToTheCallerAndKeepTheGuestRunning() throws Exception {
        Machine machine = spinningMachine();
        CompletableFuture<RunResult> run = start(machine, new AtomicReference<>());
        UncheckedIOException thrown = assertThrows(UncheckedIOException.class,
                () -> machine.atBoundary(() -> {
                    throw new UncheckedIOException(new IOException("disk gone"));
                }));
        assertEquals("disk gone", thrown.getCause().getMessage());
        long after = machine.cpu().instructionCount;
        while (machine.cpu().instructionCount == after) {
            Thread.onSpinWait();
        }
        machine.requestStop();
        assertEquals(RunResult.Outcome.HOST_STOP, run.get(10, TimeUnit.SECONDS).outcome());
    }
}
