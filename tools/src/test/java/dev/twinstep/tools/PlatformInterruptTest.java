package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.machine.RunResult;
import dev.twinstep.devices.serial.StreamSerialBackend;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kernels that sleep in HLT and are woken by PIT interrupts through the PIC, on the whole PC platform. */
@Timeout(60)
class PlatformInterruptTest {
    private static final String FIFTY_TICKS = ".".repeat(50) + "\n";

    private record Run(RunResult result, String serial, long virtualNanos) {
    }

    private static Run boot(byte[] kernel, ClockMode clock) throws Exception {
        Machine machine = new Machine(MachineConfig.withRam(16L * 1024 * 1024).withClock(clock));
        machine.bootMultiboot(kernel, "pit-ticks", "");
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        PcPlatform.attach(machine, new StreamSerialBackend(serial, false), null);
        RunResult result = MachineThread.run(machine);
        return new Run(result, serial.toString(StandardCharsets.ISO_8859_1), machine.clock().nowNanos());
    }

    @Test
    void shouldWakeFromHltOnEveryPitTickInRealtimeMode() throws Exception {
        Run run = boot(InterruptKernels.pitTicks(1193, 50), ClockMode.REALTIME);
        assertEquals(RunResult.Outcome.GUEST_EXIT, run.result().outcome(), run.result().diagnosis());
        assertEquals(1, run.result().exitStatus());
        assertEquals(FIFTY_TICKS, run.serial());
        assertTrue(run.virtualNanos() >= 50 * 999_000L, "50 ticks of ~1 ms took " + run.virtualNanos() + " ns");
    }

    @Test
    void shouldRepeatOutputAndInstructionCountExactlyInIcountMode() throws Exception {
        Run first = boot(InterruptKernels.pitTicks(1193, 50), ClockMode.ICOUNT);
        Run second = boot(InterruptKernels.pitTicks(1193, 50), ClockMode.ICOUNT);
        assertEquals(RunResult.Outcome.GUEST_EXIT, first.result().outcome(), first.result().diagnosis());
        assertEquals(FIFTY_TICKS, first.serial());
        assertEquals(first.serial(), second.serial());
        assertEquals(first.result().stats().instructions(), second.result().stats().instructions());
        assertEquals(first.virtualNanos(), second.virtualNanos());
        long fiftyTicks = 50L * 1193 * 1_000_000_000L / 1_193_182;
        assertTrue(first.virtualNanos() >= fiftyTicks && first.virtualNanos() < fiftyTicks + 2_000_000,
                "idle HLT skips virtual time to each tick: " + first.virtualNanos() + " ns");
    }

    @Test
    void shouldRunTheIcountClockFromTheCommandLineWithStats(@TempDir Path dir) throws Exception {
        Path kernel = TinyKernel.write(dir, "ticks.bin", InterruptKernels.pitTicks(1193, 50));
        CliRun first = CliRun.of("run", "--kernel", kernel.toString(), "--clock", "icount", "--stats");
        CliRun second = CliRun.of("run", "--kernel", kernel.toString(), "--clock", "icount", "--stats");
        assertEquals(1, first.status(), first.stderr());
        assertEquals(FIFTY_TICKS, first.stdout());
        String instructions = first.stderrLines().get(1).replaceAll(".*(instructions \\d+),.*", "$1");
        assertTrue(instructions.startsWith("instructions "), first.stderr());
        assertTrue(second.stderrLines().get(1).contains(instructions + ","), first.stderr() + " vs " + second.stderr());
    }

    @Test
    void shouldEndTheRunCleanlyWhenTheGuestPullsTheResetLine(@TempDir Path dir) throws Exception {
        byte[] resetThroughI8042 = {(byte) 0xFA, (byte) 0xB0, (byte) 0xFE, (byte) 0xE6, 0x64, (byte) 0xF4}; // cli; out 0x64,0xfe
        Path kernel = TinyKernel.write(dir, "reset.bin", TinyKernel.image(resetThroughI8042, 0));
        CliRun run = CliRun.of("run", "--kernel", kernel.toString());
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().startsWith("twinstep: the guest reset the machine at 0008:"), run.stderr());
    }
}
