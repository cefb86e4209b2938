package dev.twinstep.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GuestMemoryTest {
    private static final int PAGE = GuestMemory.PAGE_SIZE;
    private final GuestMemory memory = new GuestMemory(2L * 1024 * 1024);

    private static MmioHandler constant(int value) {
        return new MmioHandler() {
            @Override
            public int mmioRead(int offset, int size) {
                return value;
            }

            @Override
            public void mmioWrite(int offset, int size, int value) {
            }
        };
    }

    @Test
    void shouldStoreLittleEndianValuesAcrossAPageBoundary() {
        memory.write32(PAGE - 2, 0x44332211);
        assertEquals(0x11, memory.read8(PAGE - 2));
        assertEquals(0x44, memory.read8(PAGE + 1));
        assertEquals(0x3322, memory.read16(PAGE - 1));
        assertEquals(0x44332211, memory.read32(PAGE - 2));
    }

    @Test
    void shouldReadAllOnesAboveRam() {
        assertEquals(0xFF, memory.read8(0x20_0000));
        assertEquals(0xFFFF, memory.read16(0x20_0000));
        assertEquals(0xFFFFFFFF, memory.read32(0xFFFF_FFFC));
        byte[] out = new byte[4];
        memory.readBytes(0x1FFFFEL, out, 0, 4);
        assertEquals((byte) 0xFF, out[2]);
    }

    @Test
    void shouldMapTheWholeRamWhenTheVgaHoleIsNotWanted() {
        GuestMemory flat = new GuestMemory(2L * 1024 * 1024, false);
        flat.write32(0xA0000, 0x01020304);
        assertEquals(0x01020304, flat.read32(0xA0000));
    }

    @Test
    void shouldRefuseRamSizesThatAreNotWholePagesOrOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(2L * 1024 * 1024 + 1));
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(1024 * 1024));
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(4L * 1024 * 1024 * 1024));
    }

    @Test
    void shouldRefuseAnMmioRegionThatOverlapsAnother() {
        memory.mapMmio(0xFEC0_0000, PAGE, constant(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> memory.mapMmio(0xFEBF_F000, 2 * PAGE, constant(2)));
        assertEquals("MMIO region at 0xfebff000 overlaps another", e.getMessage());
        assertEquals(0xFFFFFFFF, memory.read32(0xFEBF_F000), "a refused region must leave nothing mapped");
    }

    @Test
    void shouldRefuseAnMmioRegionPastFourGiB() {
        assertThrows(IllegalArgumentException.class, () -> memory.mapMmio(0xFFFF_F000, 2 * PAGE, constant(0)));
    }

    @Test
    void shouldRefuseRomOutsideRamWithoutMappingAnyOfIt() {
        assertThrows(IllegalArgumentException.class, () -> memory.mapRom(0x1F_F000, 2 * PAGE));
        memory.write8(0x1F_F000, 0x5A);
        assertEquals(0x5A, memory.read8(0x1F_F000), "the page inside RAM must still be writable RAM");
    }

    @Test
    void shouldRefuseUnalignedRegions() {
        assertThrows(IllegalArgumentException.class, () -> memory.mapRom(0x1000 + 1, PAGE));
        assertThrows(IllegalArgumentException.class, () -> memory.mapMmio(0xFEC0_0000, 100, constant(0)));
    }

    @Test
    void shouldGiveMmioHandlersOffsetsFromTheRegionBase() {
        int[] last = new int[2];
        memory.mapMmio(0xFEE0_0000, 2 * PAGE, new MmioHandler() {
            @Override
            public int mmioRead(int offset, int size) {
                return offset;
            }

            @Override
            public void mmioWrite(int offset, int size, int value) {
                last[0] = offset;
                last[1] = size;
            }
        });
        assertEquals(PAGE + 0x30, memory.read32(0xFEE0_1030));
        memory.write16(0xFEE0_0300, 5);
        assertArrayEquals(new int[] {0x300, 2}, last);
    }
}
