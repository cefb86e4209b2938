package dev.twinstep.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.boot.BootException;
import dev.twinstep.core.boot.TestKernels;
import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.cpu.MachineHalt;
import dev.twinstep.core.memory.GuestMemory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MachineTest {
    private static final int LOAD = 0x100000;

    /** A device at port 0xF4 that ends the run with (v << 1) | 1, as isa-debug-exit does. */
    static final class ExitPort implements MachineDevice, IoPortHandler {
        int flushes;
        int resets;

        @Override
        public String name() {
            return "exit-port";
        }

        @Override
        public void attach(IoBus io, GuestMemory memory) {
            io.register(0xF4, 4, this, name());
        }

        @Override
        public void reset() {
            resets++;
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public int ioRead(int offset, int size) {
            return 0;
        }

        @Override
        public void ioWrite(int offset, int size, int value) {
            throw new MachineHalt(MachineHalt.Kind.GUEST_EXIT, (value << 1) | 1, "exit " + value);
        }
    }

    private static Machine machineRunning(byte... code) throws BootException {
        Machine machine = new Machine(MachineConfig.withRam(16L * 1024 * 1024));
        machine.bootMultiboot(TestKernels.aout(LOAD, code, 0), "test", "");
        return machine;
    }

    @Test
    void shouldEndWithTheExitStatusADeviceGives() throws BootException {
        Machine machine = machineRunning((byte) 0xB0, (byte) 5, (byte) 0xE6, (byte) 0xF4, (byte) 0xF4); // mov al,5; out 0xf4,al; hlt
        ExitPort exit = new ExitPort();
        machine.addDevice(exit);
        RunResult result = machine.run();
        assertEquals(RunResult.Outcome.GUEST_EXIT, result.outcome());
        assertEquals(11, result.exitStatus());
        assertEquals(1, exit.flushes, "devices are flushed when a run ends");
        assertTrue(result.stats().instructions() >= 1, "the MOV retired before the OUT ended the run");
    }

    @Test
    void shouldDiagnoseAHaltWithInterruptsDisabled() throws BootException {
        Machine machine = machineRunning((byte) 0xFA, (byte) 0xF4); // cli; hlt
        RunResult result = machine.run();
        assertEquals(RunResult.Outcome.HALTED, result.outcome());
        assertEquals(0, result.exitStatus());
        assertTrue(result.diagnosis().startsWith("guest halted with interrupts disabled at 0008:001000"), result.diagnosis());
        assertEquals(2, result.stats().instructions());
    }

    @Test
    void shouldEndAHaltWithInterruptsEnabledWhenNothingCanRaiseOne() throws BootException {
        Machine machine = machineRunning((byte) 0xFB, (byte) 0xF4); // sti; hlt
        RunResult result = machine.run();
        assertEquals(RunResult.Outcome.HALTED, result.outcome());
        assertTrue(result.diagnosis().contains("no timer is armed and no host input can raise one"), result.diagnosis());
    }

    @Test
    void shouldPauseAtABoundaryResumeAndStopOnRequest() throws Exception {
        Machine machine = machineRunning((byte) 0x40, (byte) 0xEB, (byte) 0xFD); // inc eax; jmp $-3
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(machine::run);
        while (machine.cpu().instructionCount == 0) {
            Thread.onSpinWait();
        }
        machine.pause();
        assertTrue(machine.isPaused());
        long atPause = machine.cpu().instructionCount;
        Thread.sleep(50);
        assertEquals(atPause, machine.cpu().instructionCount, "a paused machine retires nothing");
        machine.resume();
        while (machine.cpu().instructionCount == atPause) {
            Thread.onSpinWait();
        }
        assertFalse(machine.isPaused());
        machine.requestStop();
        RunResult result = run.get(10, TimeUnit.SECONDS);
        assertEquals(RunResult.Outcome.HOST_STOP, result.outcome());
        assertTrue(result.stats().instructions() > atPause);
    }

    @Test
    void shouldStopAPausedMachineOnRequest() throws Exception {
        Machine machine = machineRunning((byte) 0x40, (byte) 0xEB, (byte) 0xFD);
        machine.pause(); // not running yet: the run starts paused
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(machine::run);
        while (!machine.isPaused()) {
            Thread.onSpinWait();
        }
        assertEquals(0, machine.cpu().instructionCount);
        machine.requestStop();
        assertEquals(RunResult.Outcome.HOST_STOP, run.get(10, TimeUnit.SECONDS).outcome());
    }

    @Test
    void shouldRefuseToRunTwiceAtOnce() throws Exception {
        Machine machine = machineRunning((byte) 0x40, (byte) 0xEB, (byte) 0xFD);
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(machine::run);
        while (machine.cpu().instructionCount == 0) {
            Thread.onSpinWait();
        }
        assertThrows(IllegalStateException.class, machine::run);
        machine.requestStop();
        run.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldResetEveryDevice() throws BootException {
        Machine machine = machineRunning((byte) 0xF4);
        ExitPort exit = new ExitPort();
        machine.addDevice(exit);
        machine.reset();
        assertEquals(1, exit.resets);
        assertEquals(0xFFF0, machine.cpu().eip);
    }

    @Test
    void shouldComputeMipsFromInstructionsAndTime() {
        RunStats stats = new RunStats(5_000_000, 500_000_000);
        assertEquals(10.0, stats.mips(), 1e-9);
        assertEquals("instructions 5000000, wall time 0.500 s, 10.00 MIPS", stats.summary());
        assertEquals(0.0, new RunStats(5, 0).mips());
    }
}
