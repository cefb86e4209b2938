package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.devices.net.backend.NoneNetBackend;
import dev.twinstep.devices.serial.SerialBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The public PC is the one {@code twinstep run} assembles: same devices, same state, same BIOS tables. */
class PcTest {
    /** icount: the RTC then starts at a fixed date, so two machines' device states can be compared byte for byte. */
    private static final MachineConfig CONFIG = MachineConfig.withRam(16L << 20).withClock(ClockMode.ICOUNT);
    private static final int BIOS_AREA = 0xF0000;
    private static final int BIOS_AREA_BYTES = 0x10000;

    @Test
    void shouldBuildWhatTwinstepRunAssemblesWithNetdevNone() throws Exception {
        Machine pc = Pc.build(CONFIG, SerialBackend.NONE, new NoneNetBackend());
        NetdevOption none = new NetdevOption.Converter().convert("none");

        try (GuestMachine run = GuestMachine.assemble(new Machine(CONFIG), SerialBackend.NONE, null, List.of(), none,
                nic -> nic)) {
            assertSameMachine(run.machine, pc);
        }
    }

    @Test
    void shouldBuildWhatTwinstepRunAssemblesWithoutNetdev() throws Exception {
        Machine pc = Pc.build(CONFIG, SerialBackend.NONE);

        try (GuestMachine run = GuestMachine.assemble(new Machine(CONFIG), SerialBackend.NONE, null, List.of(), null,
                nic -> nic)) {
            assertSameMachine(run.machine, pc);
        }
    }

    @Test
    void shouldTellTheMachineWithANicFromTheOneWithout() {
        assertNotEquals(Pc.build(CONFIG, SerialBackend.NONE).configurationFingerprint(),
                Pc.build(CONFIG, SerialBackend.NONE, new NoneNetBackend()).configurationFingerprint());
    }

    private static void assertSameMachine(Machine expected, Machine actual) throws IOException {
        assertEquals(expected.configurationFingerprint(), actual.configurationFingerprint());
        assertEquals(deviceClasses(expected), deviceClasses(actual));
        assertArrayEquals(deviceState(expected), deviceState(actual));
        assertArrayEquals(biosArea(expected), biosArea(actual), "the MP tables differ");
    }

    private static List<String> deviceClasses(Machine machine) {
        return machine.devices().stream().map(device -> device.getClass().getName()).toList();
    }

    private static byte[] deviceState(Machine machine) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        machine.saveDeviceState(out);
        return out.toByteArray();
    }

    private static byte[] biosArea(Machine machine) {
        byte[] bytes = new byte[BIOS_AREA_BYTES];
        machine.memory().ram().getBytes(BIOS_AREA, bytes);
        return bytes;
    }
}
