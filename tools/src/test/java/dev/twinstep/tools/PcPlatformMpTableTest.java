package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.net.backend.NoneNetBackend;
import dev.twinstep.devices.serial.StreamSerialBackend;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MP table the platform leaves in the BIOS area follows what is plugged into it. */
class PcPlatformMpTableTest {
    /** The I/O interrupt entries as "bus:source->pin", read the way a kernel walks the table. */
    private static List<String> ioInterrupts(GuestMemory memory) {
        int pointer = 0xF0000;
        while (memory.read32(pointer) != 0x5F504D5F) {
            pointer += 16;
            assertTrue(pointer < 0x100000, "no _MP_ in the BIOS area");
        }
        int table = memory.read32(pointer + 4);
        int at = table + 44;
        List<String> routes = new ArrayList<>();
        for (int n = memory.read16(table + 34); n > 0; n--) {
            int type = memory.read8(at);
            if (type == 3 && memory.read8(at + 1) == 0) {
                routes.add(memory.read8(at + 4) + ":" + memory.read8(at + 5) + "->" + memory.read8(at + 7));
            }
            at += type == 0 ? 20 : 8;
        }
        return routes;
    }

    @Test
    void shouldRouteTheVirtioNicsIntaThroughIrq11OnceItIsPlugged() {
        Machine machine = new Machine(MachineConfig.withRam(16L * 1024 * 1024));
        PcPlatform platform = PcPlatform.attach(machine, new StreamSerialBackend(new ByteArrayOutputStream(), false), null);
        List<String> isaOnly = ioInterrupts(machine.memory());
        assertTrue(isaOnly.contains("1:0->2") && isaOnly.contains("1:11->11"), isaOnly.toString());
        platform.attachVirtioNet(machine, new NoneNetBackend());
        List<String> withNic = ioInterrupts(machine.memory());
        assertTrue(withNic.contains("0:" + (PcPlatform.VIRTIO_NET_SLOT << 2) + "->11"), withNic.toString());
        assertTrue(!withNic.contains("1:11->11"), withNic.toString());
        assertEquals(isaOnly.size(), withNic.size());
    }
}
