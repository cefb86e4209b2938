package dev.twinstep.devices.i8042;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.devices.state.MemoryState;
import org.junit.jupiter.api.Test;

/** The i8042 and port 0x92 sections: queued responses, half-done commands and the reset latch survive a load. */
class I8042StateTest {
    /** A controller and port 0x92 on their own bus, counting reset pulses. */
    private static final class Rig {
        final IoBus io = new IoBus();
        final GuestMemory memory = new GuestMemory(2L * 1024 * 1024);
        int resets;
        boolean irq1;
        final I8042Controller controller = new I8042Controller(level -> irq1 = level, () -> resets++);
        final SystemControlPortA port92 = new SystemControlPortA(() -> resets++);

        Rig() {
            controller.attach(io, memory);
            port92.attach(io, memory);
        }
    }

    @Test
    void shouldKeepQueuedResponsesAndRaiseIrq1AfterLoad() {
        Rig original = new Rig();
        original.io.write(0x60, 1, 0xF2); // identify: ACK, 0xAB, 0x83
        assertEquals(0xFA, original.io.read(0x60, 1));
        byte[] section = MemoryState.save(original.controller);

        Rig restored = new Rig();
        MemoryState.load(restored.controller, section);
        assertArrayEquals(section, MemoryState.save(restored.controller));
        assertTrue(restored.irq1);
        assertEquals(0xAB, restored.io.read(0x60, 1));
        assertEquals(0x83, restored.io.read(0x60, 1));
        assertEquals(0x83, restored.io.read(0x60, 1), "the last byte stays on the bus");
        assertEquals(0, restored.io.read(0x64, 1) & 0x01);
    }

    @Test
    void shouldFinishACommandWhoseDataByteComesAfterLoad() {
        Rig original = new Rig();
        original.io.write(0x64, 1, 0xD2); // write keyboard output buffer: the byte follows
        Rig restored = new Rig();
        MemoryState.load(restored.controller, MemoryState.save(original.controller));
        assertEquals(0x08, restored.io.read(0x64, 1) & 0x08, "last write was a command");
        restored.io.write(0x60, 1, 0x42);
        assertEquals(0x42, restored.io.read(0x60, 1));
    }

    @Test
    void shouldNotResetWhenLoadingAndKeepPort92FastResetLatch() {
        Rig original = new Rig();
        original.io.write(0x92, 1, 0x03);
        Rig restored = new Rig();
        MemoryState.load(restored.port92, MemoryState.save(original.port92));
        MemoryState.load(restored.controller, MemoryState.save(original.controller));
        assertEquals(0, restored.resets);
        restored.io.write(0x92, 1, 0x03);
        assertEquals(0, restored.resets, "bit 0 was already set: no rising edge");
    }

    @Test
    void shouldRefuseAnOutputHeadOutsideTheBuffer() {
        Rig original = new Rig();
        byte[] section = MemoryState.save(original.controller);
        section[4 + 8 * 4] = 8; // the head byte follows the length-prefixed 8-int buffer
        assertThrows(StateFormatException.class, () -> MemoryState.load(new Rig().controller, section));
    }
}
