package dev.twinstep.devices.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.pic.PicPair;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PciBusTest {
    private final boolean[] irqLevels = new boolean[16];
    private final IoBus io = new IoBus();
    private PciBus bus;
    private TestFunction slot3;
    private TestFunction slot4;

    /** A function with one 16-byte I/O BAR that records what reached it. */
    private static final class TestFunction extends PciFunction {
        int lastWriteOffset = -1;
        int lastWriteValue;

        TestFunction(int ioBase) {
            super(0x1234, 0x5678, 1, 0xFF0000, 0x1234, 0x0001, COMMAND_IO, 1);
            defineIoBar(0, 16, ioBase);
        }

        @Override
        protected int ioRead(int bar, int offset, int size) {
            return 0xA0 + offset;
        }

        @Override
        protected void ioWrite(int bar, int offset, int size, int value) {
            lastWriteOffset = offset;
            lastWriteValue = value;
        }

        void interrupt(boolean level) {
            setIntx(level);
        }
    }

    @BeforeEach
    void setUp() {
        bus = new PciBus(irq -> level -> irqLevels[irq] = level);
        slot3 = new TestFunction(0xC000);
        slot4 = new TestFunction(0xC010);
        bus.plug(3, 0, slot3);
        bus.plug(4, 0, slot4);
        bus.attach(io, new GuestMemory(4 << 20));
    }

    private int config(int slot, int register) {
        io.write(0xCF8, 4, 0x8000_0000 | slot << 11 | register);
        return io.read(0xCFC, 4);
    }

    private void writeConfig(int slot, int register, int size, int value) {
        io.write(0xCF8, 4, 0x8000_0000 | slot << 11 | (register & 0xFC));
        io.write(0xCFC + (register & 3), size, value);
    }

    @Test
    void shouldPresentI440fxHostBridgeAndPiix3IsaBridge() {
        assertEquals(0x1237_8086, config(0, 0x00));
        assertEquals(0x0600_0002, config(0, 0x08));
        assertEquals(0x7000_8086, config(1, 0x00));
        assertEquals(0x0601_0000, config(1, 0x08));
        assertEquals(0x80, config(1, 0x0C) >>> 16 & 0xFF);
    }

    @Test
    void shouldShowPirqRoutingAsSeaBiosLeavesIt() {
        assertEquals(0x0B0B_0A0A, config(1, 0x60));
        writeConfig(1, 0x60, 4, 0x0505_0505);
        assertEquals(0x0B0B_0A0A, config(1, 0x60));
    }

    @Test
    void shouldReadAllOnesFromEmptySlotAndOtherBuses() {
        assertEquals(0xFFFF_FFFF, config(7, 0x00));
        io.write(0xCF8, 4, 0x8001_0000);
        assertEquals(0xFFFF_FFFF, io.read(0xCFC, 4));
    }

    @Test
    void shouldReadBackConfigAddressAndIgnoreByteWritesToIt() {
        io.write(0xCF8, 4, 0x8000_1800);
        io.write(0xCF8, 1, 0x12);
        assertEquals(0x8000_1800, io.read(0xCF8, 4));
    }

    @Test
    void shouldReadSubRegistersThroughDataPortOffsets() {
        io.write(0xCF8, 4, 0x8000_0000 | 3 << 11);
        assertEquals(0x5678, io.read(0xCFE, 2));
        assertEquals(0x12, io.read(0xCFD, 1));
    }

    @Test
    void shouldReportIoBarSizeWhenAllOnesAreWritten() {
        assertEquals(0xC001, config(3, 0x10));
        writeConfig(3, 0x10, 4, 0xFFFF_FFFF);
        assertEquals(0xFFFF_FFF1, config(3, 0x10));
        assertEquals(0xFF, io.read(0xC002, 1), "while it holds the probe the BAR decodes nowhere");
        writeConfig(3, 0x10, 4, 0xC000);
        assertEquals(0xC001, config(3, 0x10));
        assertEquals(0, config(3, 0x14), "an unimplemented BAR stays zero");
        writeConfig(3, 0x14, 4, 0xFFFF_FFFF);
        assertEquals(0, config(3, 0x14));
    }

    @Test
    void shouldDecodeIoBarOnlyWhileCommandIoIsSet() {
        assertEquals(0xA2, io.read(0xC002, 1));
        io.write(0xC013, 1, 0x5A);
        assertEquals(3, slot4.lastWriteOffset);
        assertEquals(0x5A, slot4.lastWriteValue);
        writeConfig(3, 0x04, 2, 0);
        assertEquals(0xFF, io.read(0xC002, 1));
    }

    @Test
    void shouldFollowBarWhenGuestMovesIt() {
        writeConfig(3, 0x10, 4, 0xC800);
        assertEquals(0xFF, io.read(0xC000, 1));
        assertEquals(0xA1, io.read(0xC801, 1));
    }

    @Test
    void shouldRouteIntaOfSlotsThreeAndFourToIrqsElevenAndTen() {
        assertEquals(11, config(3, 0x3C) & 0xFF);
        assertEquals(1, config(3, 0x3C) >>> 8 & 0xFF);
        assertEquals(10, config(4, 0x3C) & 0xFF);
        slot3.interrupt(true);
        assertTrue(irqLevels[11]);
        assertFalse(irqLevels[10]);
        slot3.interrupt(false);
        assertFalse(irqLevels[11]);
        assertEquals(10, PciBus.irqFor(1, 1));
    }

    @Test
    void shouldKeepSharedLinkHighWhileAnyPinOnItIsHigh() {
        TestFunction slot7 = new TestFunction(0xC020);
        bus.plug(7, 0, slot7); // slot 7 INTA# is PIRQD, as slot 3's
        slot3.interrupt(true);
        slot7.interrupt(true);
        slot3.interrupt(false);
        assertTrue(irqLevels[11]);
        slot7.interrupt(false);
        assertFalse(irqLevels[11]);
    }

    @Test
    void shouldMaskIntxWithInterruptDisableBitButKeepStatusBit() {
        slot3.interrupt(true);
        writeConfig(3, 0x04, 2, PciFunction.COMMAND_IO | PciFunction.COMMAND_INTX_DISABLE);
        assertFalse(irqLevels[11]);
        assertEquals(PciFunction.STATUS_INTERRUPT, config(3, 0x04) >>> 16 & PciFunction.STATUS_INTERRUPT);
        writeConfig(3, 0x04, 2, PciFunction.COMMAND_IO);
        assertTrue(irqLevels[11]);
    }

    @Test
    void shouldMarkPciIrqsLevelTriggeredInElcrAsSeaBiosDoes() {
        IoBus platformIo = new IoBus();
        PicPair pic = new PicPair();
        pic.attach(platformIo, null);
        PciBus pciBus = new PciBus(pic::irq);
        pciBus.attach(platformIo, new GuestMemory(4 << 20));
        assertEquals(0x00, platformIo.read(0x4D0, 1));
        assertEquals(0x0C, platformIo.read(0x4D1, 1));
        pic.reset();
        pciBus.reset();
        assertEquals(0x0C, platformIo.read(0x4D1, 1));
    }

    @Test
    void shouldRestoreFirmwareStateOnReset() {
        writeConfig(3, 0x10, 4, 0xC800);
        writeConfig(3, 0x3C, 1, 5);
        slot3.interrupt(true);
        bus.reset();
        assertEquals(0xC001, config(3, 0x10));
        assertEquals(11, config(3, 0x3C) & 0xFF);
        assertFalse(irqLevels[11]);
    }
}
