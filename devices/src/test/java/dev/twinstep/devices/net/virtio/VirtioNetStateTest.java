package dev.twinstep.devices.net.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.devices.pci.PciBus;
import dev.twinstep.devices.pci.PciFunctionState;
import dev.twinstep.devices.state.MemoryState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The "pci" and "virtio-net.0" sections: a NIC restored with the same guest RAM keeps its rings,
 * its raised interrupt and the frames that were waiting for receive buffers.
 */
class VirtioNetStateTest {
    private static final int SLOT = 3;
    private static final int RX_BUFFER = 0x50000;
    private static final int COPIED_RAM = 0x100000;

    /** A PCI bus with the NIC in slot 3, recording PIC line levels and posted machine work. */
    private static final class Rig {
        final boolean[] irqLevels = new boolean[16];
        final IoBus io = new IoBus();
        final GuestMemory memory = new GuestMemory(4 << 20);
        final RecordingBackend backend = new RecordingBackend();
        final List<Runnable> posted = new ArrayList<>();
        final PciBus bus = new PciBus(irq -> level -> irqLevels[irq] = level);
        final VirtioNetPci nic = new VirtioNetPci(backend, VirtioNetPci.DEFAULT_MAC, VirtioNetPci.DEFAULT_IO_BASE,
                posted::add);
        final LegacyVirtioDriver driver;

        Rig() {
            bus.plug(SLOT, 0, nic);
            bus.attach(io, memory);
            driver = new LegacyVirtioDriver(io, memory, SLOT);
        }

        void runPosted() {
            List<Runnable> tasks = new ArrayList<>(posted);
            posted.clear();
            tasks.forEach(Runnable::run);
        }

        /** Offers receive descriptor {@code index} in available-ring slot {@code slot}, as a driver would. */
        void offerReceiveBuffer(int slot, int index) {
            driver.writeDescriptor(0, index, RX_BUFFER + 2048L * index, 2048, SplitVirtqueue.DESC_F_WRITE, 0);
            int avail = LegacyVirtioDriver.RX_RING + 16 * LegacyVirtioDriver.SIZE;
            memory.write16(avail + 4 + 2 * slot, index);
            driver.setAvailIndex(0, slot + 1);
        }

        byte[] received(int index, int length) {
            byte[] data = new byte[length];
            memory.readBytes(RX_BUFFER + 2048L * index + 10, data, 0, length);
            return data;
        }
    }

    private static byte[] frame(int length, int seed) {
        byte[] frame = new byte[length];
        Arrays.fill(frame, (byte) seed);
        return frame;
    }

    @Test
    void shouldDeliverFramesThatWereWaitingForBuffersAfterLoad() {
        Rig original = new Rig();
        original.driver.initialise();
        original.offerReceiveBuffer(0, 0);
        original.driver.kick(0);
        original.backend.sink.offer(frame(60, 1), 0, 60);
        original.backend.sink.offer(frame(70, 2), 0, 70);
        original.backend.sink.offer(frame(80, 3), 0, 80);
        original.runPosted();
        assertEquals(1, original.driver.usedIndex(0));
        assertTrue(original.irqLevels[11]);
        byte[] pci = MemoryState.save(original.bus);
        byte[] nic = MemoryState.save(original.nic);

        Rig restored = new Rig();
        byte[] ram = new byte[COPIED_RAM];
        original.memory.readBytes(0, ram, 0, ram.length);
        restored.memory.writeBytes(0, ram, 0, ram.length);
        MemoryState.load(restored.bus, pci);
        MemoryState.load(new PciFunctionState(restored.nic), nic);
        assertArrayEquals(pci, MemoryState.save(restored.bus));
        assertArrayEquals(nic, MemoryState.save(restored.nic));
        assertTrue(restored.irqLevels[11], "INTx re-driven from the pci section");
        assertEquals(1, restored.driver.readIsr());
        assertFalse(restored.irqLevels[11]);

        for (Rig rig : List.of(original, restored)) {
            rig.offerReceiveBuffer(1, 1);
            rig.offerReceiveBuffer(2, 2);
            rig.driver.kick(0);
            rig.runPosted();
        }
        assertEquals(3, restored.driver.usedIndex(0));
        assertEquals(original.driver.usedLen(0, 2), restored.driver.usedLen(0, 2));
        assertArrayEquals(frame(70, 2), restored.received(1, 70));
        assertArrayEquals(frame(80, 3), restored.received(2, 80));
    }

    @Test
    void shouldContinueTransmittingFromTheSavedRingIndex() {
        Rig original = new Rig();
        original.driver.initialise();
        original.driver.send(0, 0x40000, frame(60, 7));
        assertEquals(1, original.backend.transmitted.size());
        byte[] pci = MemoryState.save(original.bus);
        byte[] nic = MemoryState.save(original.nic);

        Rig restored = new Rig();
        byte[] ram = new byte[COPIED_RAM];
        original.memory.readBytes(0, ram, 0, ram.length);
        restored.memory.writeBytes(0, ram, 0, ram.length);
        MemoryState.load(restored.bus, pci);
        MemoryState.load(restored.nic, nic);
        restored.driver.kick(1);
        assertEquals(0, restored.backend.transmitted.size(), "the sent chain is not sent again");
        assertEquals(1, restored.driver.usedIndex(1));
    }

    @Test
    void shouldRefuseGuestFeaturesTheDeviceNeverOffered() {
        Rig original = new Rig();
        byte[] section = MemoryState.save(original.nic);
        section[0] = 0x7F;
        assertThrows(StateFormatException.class, () -> MemoryState.load(new Rig().nic, section));
    }

    @Test
    void shouldRefuseAPciSnapshotWithAnotherDeviceInTheSlot() {
        Rig original = new Rig();
        byte[] section = MemoryState.save(original.bus);
        PciBus empty = new PciBus(irq -> level -> { });
        empty.attach(new IoBus(), new GuestMemory(2 << 20));
        assertThrows(StateFormatException.class, () -> MemoryState.load(empty, section));
    }
}
