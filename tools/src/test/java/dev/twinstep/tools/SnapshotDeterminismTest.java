package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.Timer;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.machine.RunResult;
import dev.twinstep.devices.serial.StreamSerialBackend;
import dev.twinstep.devices.storage.AtaChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4's determinism property: with an icount clock, running N instructions, snapshotting,
 * restoring into a fresh machine and running on gives the same output, instruction count and RAM as
 * one uninterrupted run.
 */
class SnapshotDeterminismTest {
    private static final long RAM = 32L * 1024 * 1024;

    /** A PC as {@code run --clock icount --guest NAME} builds it, printing COM1 into {@code serial}. */
    private static Machine pc(String guest, ByteArrayOutputStream serial) throws Exception {
        Machine machine = new Machine(MachineConfig.withRam(RAM).withClock(ClockMode.ICOUNT));
        GuestCatalog catalog = GuestCatalog.builtIn();
        GuestCatalog.Entry entry = catalog.find(guest);
        machine.bootMultiboot(catalog.image(entry), entry.fileName(), "");
        PcPlatform platform = PcPlatform.attach(machine, new StreamSerialBackend(serial, false), null);
        machine.addDevice(DriveOption.openPrimaryChannel(List.of(), platform.isaIrq(AtaChannel.PRIMARY_IRQ)));
        return machine;
    }

    private static String ramHash(Machine machine) throws Exception {
        byte[] ram = new byte[(int) machine.memory().ramSize()];
        machine.memory().ram().getBytes(0, ram);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ram));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bench", "cpucheck", "timer"})
    void shouldEndExactlyAsAnUninterruptedRunWhenSnapshottedAndRestoredHalfway(String guest) throws Exception {
        ByteArrayOutputStream wholeOutput = new ByteArrayOutputStream();
        Machine whole = pc(guest, wholeOutput);
        RunResult wholeResult = MachineThread.run(whole);
        long total = whole.cpu().instructionCount;
        assertTrue(total > 1000, guest + " ran only " + total + " instructions");

        ByteArrayOutputStream firstOutput = new ByteArrayOutputStream();
        Machine first = pc(guest, firstOutput);
        Timer stop = first.clock().newTimer("test-stop", deadline -> first.requestStop());
        stop.armAt(total / 2 * first.clock().periodNanos());
        assertEquals(RunResult.Outcome.HOST_STOP, MachineThread.run(first).outcome());
        stop.cancel();
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        first.saveSnapshot(snapshot, false);

        ByteArrayOutputStream secondOutput = new ByteArrayOutputStream();
        Machine second = pc(guest, secondOutput);
        second.loadSnapshot(new ByteArrayInputStream(snapshot.toByteArray()));
        RunResult secondResult = MachineThread.run(second);

        assertTrue(first.cpu().instructionCount < total, "the first part must stop before the end");
        assertEquals(wholeResult.outcome(), secondResult.outcome());
        assertEquals(wholeResult.exitStatus(), secondResult.exitStatus());
        assertEquals(wholeOutput.toString(StandardCharsets.UTF_8),
                firstOutput.toString(StandardCharsets.UTF_8) + secondOutput.toString(StandardCharsets.UTF_8));
        assertEquals(total, second.cpu().instructionCount);
        assertEquals(ramHash(whole), ramHash(second));
    }
}
