package dev.twinstep.core.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IoBusTest {
    /** Records every access it sees; reads return offset * 0x11 in every byte position it is asked for. */
    static final class RecordingPorts implements IoPortHandler {
        final List<String> accesses = new ArrayList<>();

        @Override
        public int ioRead(int offset, int size) {
            accesses.add("r" + offset + "/" + size);
            return 0x04030201 * (offset + 1);
        }

        @Override
        public void ioWrite(int offset, int size, int value) {
            accesses.add("w" + offset + "/" + size + "=" + Integer.toHexString(value));
        }
    }

    private final IoBus bus = new IoBus();

    @Test
    void shouldReadAllOnesFromAFreePortAndDropWrites() {
        assertEquals(0xFF, bus.read(0x80, 1));
        assertEquals(0xFFFF, bus.read(0x80, 2));
        assertEquals(0xFFFFFFFF, bus.read(0x80, 4));
        bus.write(0x80, 4, 0x12345678);
        assertFalse(bus.isClaimed(0x80));
    }

    @Test
    void shouldHandDevicesOffsetsAndSizeMaskedValues() {
        RecordingPorts ports = new RecordingPorts();
        bus.register(0x3F8, 8, ports, "uart");
        bus.write(0x3FB, 1, 0x1283);
        bus.write(0x3F8, 2, 0xABCD1234);
        assertEquals(0x02, bus.read(0x3F9, 1));
        assertEquals(List.of("w3/1=83", "w0/2=1234", "r1/1"), ports.accesses);
        assertTrue(bus.isClaimed(0x3FF));
        assertEquals("uart", bus.ownerOf(0x3FF));
    }

    @Test
    void shouldRefuseARangeThatOverlapsAnotherAndNameTheOwner() {
        bus.register(0x60, 1, new RecordingPorts(), "i8042");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bus.register(0x5E, 4, new RecordingPorts(), "other"));
        assertEquals("port 0x60 of other is already taken by i8042", e.getMessage());
        assertFalse(bus.isClaimed(0x5E), "a refused range must claim nothing");
    }

    @Test
    void shouldRefuseRangesOutsideThePortSpace() {
        assertThrows(IllegalArgumentException.class, () -> bus.register(0xFFFF, 2, new RecordingPorts(), "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x10, 0, new RecordingPorts(), "x"));
    }

    @Test
    void shouldSplitAnAccessThatRunsPastTheEndOfADeviceRange() {
        RecordingPorts ports = new RecordingPorts();
        bus.register(0x70, 2, ports, "rtc");
        int value = bus.read(0x71, 2);
        assertEquals(0xFF02, value, "byte 0 from the device's offset 1, byte 1 from the free port 0x72");
        bus.write(0x71, 4, 0x11223344);
        assertEquals(List.of("r1/1", "w1/1=44"), ports.accesses);
    }

    @Test
    void shouldSplitAnAccessThatStartsOnAFreePortIntoTheDevicesBytes() {
        RecordingPorts ports = new RecordingPorts();
        bus.register(0x81, 1, ports, "dma-page");
        assertEquals(0xFF01FF, bus.read(0x80, 4) & 0xFFFFFF);
        assertEquals(List.of("r0/1"), ports.accesses);
    }
}
