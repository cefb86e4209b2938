package dev.twinstep.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GuestMemoryA20Test {
    private final GuestMemory memory = new GuestMemory(4L * 1024 * 1024);

    @Test
    void shouldWrapAddressesAt1MiBWhenTheGateIsClosed() {
        assertTrue(memory.isA20Enabled(), "open at power-on, as a multiboot kernel expects");
        memory.write32(0x000010, 0x11111111);
        memory.write32(0x100010, 0x22222222);
        memory.setA20Enabled(false);
        assertEquals(0x11111111, memory.read32(0x100010));
        memory.write16(0x300020, 0x3333);
        assertEquals(0x3333, memory.read16(0x200020), "bit 20 is dropped from both");
        memory.setA20Enabled(true);
        assertEquals(0x22222222, memory.read32(0x100010));
        assertEquals(0x3333, memory.read16(0x200020));
    }

    @Test
    void shouldTellTheListenerAboutEveryChangeOnly() {
        int[] changes = {0};
        memory.setA20ChangeListener(() -> changes[0]++);
        memory.setA20Enabled(true);
        memory.setA20Enabled(false);
        memory.setA20Enabled(false);
        memory.setA20Enabled(true);
        assertEquals(2, changes[0]);
        assertEquals(-1, memory.a20Mask());
    }

    @Test
    void shouldLeaveDeviceDmaUnmasked() {
        memory.setA20Enabled(false);
        memory.writeBytes(0x100000, new byte[] {0x55}, 0, 1);
        memory.setA20Enabled(true);
        assertEquals(0x55, memory.read8(0x100000));
        assertEquals(0x00, memory.read8(0x000000));
    }
}
