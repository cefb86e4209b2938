package dev.twinstep.devices.net.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.pci.PciBus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VirtioNetPciTest {
    private static final int SLOT = 3;
    private static final int TX_BUFFER = 0x40000;
    private static final int RX_BUFFER = 0x50000;

    private final boolean[] irqLevels = new boolean[16];
    private final IoBus io = new IoBus();
    private final GuestMemory memory = new GuestMemory(4 << 20);
    private final RecordingBackend backend = new RecordingBackend();
    private final List<Runnable> posted = new ArrayList<>();
    private PciBus bus;
    private VirtioNetPci nic;
    private LegacyVirtioDriver driver;

    @BeforeEach
    void setUp() {
        bus = new PciBus(irq -> level -> irqLevels[irq] = level);
        nic = new VirtioNetPci(backend, VirtioNetPci.DEFAULT_MAC, VirtioNetPci.DEFAULT_IO_BASE, posted::add);
        bus.plug(SLOT, 0, nic);
        bus.attach(io, memory);
        driver = new LegacyVirtioDriver(io, memory, SLOT);
    }

    private int config(int register) {
        io.write(0xCF8, 4, 0x8000_0000 | SLOT << 11 | register);
        return io.read(0xCFC, 4);
    }

    private static byte[] frame(int length, int seed) {
        byte[] frame = new byte[length];
        for (int i = 0; i < length; i++) {
            frame[i] = (byte) (seed + i * 7);
        }
        return frame;
    }

    private void runPosted() {
        List<Runnable> tasks = new ArrayList<>(posted);
        posted.clear();
        tasks.forEach(Runnable::run);
    }

    @Test
    void shouldPresentLegacyVirtioNetAsSeaBiosLeavesItInSlotThree() {
        assertEquals(0x1000_1AF4, config(0x00));
        assertEquals(0x0200_0000, config(0x08));
        assertEquals(0x0001_1AF4, config(0x2C));
        assertEquals(0xC001, config(0x10));
        assertEquals(0x010B, config(0x3C) & 0xFFFF);
        assertEquals(0xC000, driver.iobase);
    }

    @Test
    void shouldOfferMacAndStatusFeaturesAndShowMacWithLinkUp() {
        assertEquals(VirtioNetPci.FEATURE_MAC | VirtioNetPci.FEATURE_STATUS, driver.reg(0x00, 4));
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) driver.reg(0x14 + i, 1);
        }
        assertArrayEquals(VirtioNetPci.DEFAULT_MAC, mac);
        assertEquals(1, driver.reg(0x1A, 2));
        assertEquals(VirtioNetPci.QUEUE_SIZE, driver.reg(0x0C, 2));
        driver.writeReg(0x0E, 2, 2);
        assertEquals(0, driver.reg(0x0C, 2), "there is no control queue");
    }

    @Test
    void shouldLeaveBusMasteringOffAtPowerOnAsSeaBiosDoes() {
        assertEquals(0x0103, config(0x04) & 0xFFFF);
    }

    @Test
    void shouldNotTouchRamWhileBusMasteringIsOff() {
        driver.setupQueue(1, LegacyVirtioDriver.TX_RING);
        driver.send(0, TX_BUFFER, frame(60, 1));
        assertTrue(backend.transmitted.isEmpty());
        assertEquals(0, driver.usedIndex(1));
        driver.enableBusMaster();
        driver.kick(1);
        assertEquals(1, backend.transmitted.size());
    }

    @Test
    void shouldEnableBusMasteringWhenLegacyDriverSetsDriverOk() {
        driver.writeReg(0x12, 1, 7);
        assertEquals(0x0107, config(0x04) & 0xFFFF);
    }

    @Test
    void shouldKeepMacWrittenByDriverUntilMachineReset() {
        driver.writeReg(0x14, 4, 0x0A0B0C0D);
        driver.writeReg(0x12, 1, 0);
        assertEquals(0x0A0B0C0D, driver.reg(0x14, 4));
        bus.reset();
        assertEquals(0x1200_5452, driver.reg(0x14, 4), "52:54:00:12 again");
    }

    @Test
    void shouldAcceptOnlyOfferedFeatures() {
        driver.writeReg(0x04, 4, 0xFFFF_FFFF);
        assertEquals(VirtioNetPci.HOST_FEATURES, driver.reg(0x04, 4));
    }

    @Test
    void shouldTransmitFrameWithoutHeaderAndReturnChainThroughUsedRing() {
        driver.initialise();
        byte[] frame = frame(60, 3);
        driver.send(4, TX_BUFFER, frame);
        assertEquals(1, backend.transmitted.size());
        assertArrayEquals(frame, backend.transmitted.get(0));
        assertEquals(1, driver.usedIndex(1));
        assertEquals(4, driver.usedId(1, 0));
        assertTrue(irqLevels[11]);
        assertEquals(1, driver.readIsr());
        assertFalse(irqLevels[11], "reading the ISR lowers INTx");
        assertEquals(0, driver.readIsr());
    }

    @Test
    void shouldNotInterruptWhileDriverSuppressesInterrupts() {
        driver.initialise();
        driver.suppressInterrupts(1, true);
        driver.send(0, TX_BUFFER, frame(64, 1));
        assertEquals(1, driver.usedIndex(1));
        assertFalse(irqLevels[11]);
        assertEquals(0, driver.readIsr());
        driver.suppressInterrupts(1, false);
        driver.send(2, TX_BUFFER, frame(64, 2));
        assertEquals(2, driver.usedIndex(1));
        assertTrue(irqLevels[11]);
    }

    @Test
    void shouldDropTransmitChainShorterThanHeaderButStillReturnIt() {
        driver.initialise();
        driver.writeDescriptor(1, 0, TX_BUFFER, 6, 0, 0);
        driver.makeAvailable(1, 0);
        driver.kick(1);
        assertTrue(backend.transmitted.isEmpty());
        assertEquals(1, nic.txDropped());
        assertEquals(1, driver.usedIndex(1));
    }

    @Test
    void shouldDropTransmitChainWithDeviceWritableBufferButReturnIt() {
        driver.initialise();
        driver.writeDescriptor(1, 0, TX_BUFFER, 10, SplitVirtqueue.DESC_F_NEXT, 1);
        driver.writeDescriptor(1, 1, TX_BUFFER + 16, 60, SplitVirtqueue.DESC_F_WRITE, 0);
        driver.makeAvailable(1, 0);
        driver.kick(1);
        assertTrue(backend.transmitted.isEmpty());
        assertEquals(1, nic.txDropped());
        assertEquals(1, driver.usedIndex(1));
        assertEquals(0, nic.ringErrors());
    }

    @Test
    void shouldFillReceiveBuffersSilentlyWhileDriverSuppressesInterrupts() {
        driver.initialise();
        driver.suppressInterrupts(0, true);
        driver.addReceiveBuffer(0, RX_BUFFER, 1600);
        backend.sink.offer(frame(60, 1), 0, 60);
        runPosted();
        assertEquals(1, driver.usedIndex(0));
        assertFalse(irqLevels[11]);
        driver.suppressInterrupts(0, false);
        driver.addReceiveBuffer(1, RX_BUFFER + 2048, 1600);
        backend.sink.offer(frame(60, 2), 0, 60);
        runPosted();
        assertEquals(2, driver.usedIndex(0));
        assertTrue(irqLevels[11]);
    }

    @Test
    void shouldDeliverReceivedFrameBehindZeroHeaderAndMarkThePageDirty() {
        driver.initialise();
        memory.fill(RX_BUFFER, 2048, (byte) 0x77);
        driver.addReceiveBuffer(5, RX_BUFFER, 2048);
        driver.kick(0);
        memory.dirtyLog().takeAndClear(DirtyLog.Client.MIGRATION);
        byte[] frame = frame(98, 9);
        assertTrue(backend.sink.offer(frame, 0, frame.length));
        assertEquals(1, posted.size(), "the back end's thread only posts work to the machine thread");
        assertEquals(0, driver.usedIndex(0));
        runPosted();
        assertEquals(1, driver.usedIndex(0));
        assertEquals(5, driver.usedId(0, 0));
        assertEquals(10 + 98, driver.usedLen(0, 0));
        byte[] got = new byte[10 + 98];
        memory.readBytes(RX_BUFFER, got, 0, got.length);
        assertArrayEquals(new byte[10], Arrays.copyOfRange(got, 0, 10));
        assertArrayEquals(frame, Arrays.copyOfRange(got, 10, got.length));
        assertTrue(memory.dirtyLog().isDirty(DirtyLog.Client.MIGRATION, RX_BUFFER >>> 12));
        assertTrue(memory.dirtyLog().isDirty(DirtyLog.Client.MIGRATION, LegacyVirtioDriver.usedRing(0) >>> 12));
        assertTrue(irqLevels[11]);
    }

    @Test
    void shouldScatterFrameAcrossChainedReceiveBuffers() {
        driver.initialise();
        driver.writeDescriptor(0, 0, RX_BUFFER, 4, SplitVirtqueue.DESC_F_WRITE | SplitVirtqueue.DESC_F_NEXT, 1);
        driver.writeDescriptor(0, 1, RX_BUFFER + 0x100, 20, SplitVirtqueue.DESC_F_WRITE | SplitVirtqueue.DESC_F_NEXT, 2);
        driver.writeDescriptor(0, 2, RX_BUFFER + 0x200, 100, SplitVirtqueue.DESC_F_WRITE, 0);
        driver.makeAvailable(0, 0);
        byte[] frame = frame(40, 5);
        backend.sink.offer(frame, 0, frame.length);
        runPosted();
        assertEquals(50, driver.usedLen(0, 0));
        byte[] part = new byte[14];
        memory.readBytes(RX_BUFFER + 0x106, part, 0, 14);
        assertArrayEquals(Arrays.copyOfRange(frame, 0, 14), part);
        byte[] rest = new byte[26];
        memory.readBytes(RX_BUFFER + 0x200, rest, 0, 26);
        assertArrayEquals(Arrays.copyOfRange(frame, 14, 40), rest);
    }

    @Test
    void shouldKeepFrameQueuedUntilDriverAddsReceiveBufferAndKicks() {
        driver.initialise();
        byte[] frame = frame(60, 4);
        backend.sink.offer(frame, 0, frame.length);
        runPosted();
        assertEquals(0, driver.usedIndex(0));
        driver.addReceiveBuffer(0, RX_BUFFER, 1600);
        driver.kick(0);
        assertEquals(1, driver.usedIndex(0));
        assertEquals(70, driver.usedLen(0, 0));
        assertEquals(0, nic.rxDropped());
    }

    @Test
    void shouldHoldFramesUntilDriverOk() {
        backend.sink.offer(frame(60, 1), 0, 60);
        runPosted();
        driver.setupQueue(0, LegacyVirtioDriver.RX_RING);
        driver.addReceiveBuffer(0, RX_BUFFER, 1600);
        driver.kick(0);
        assertEquals(0, driver.usedIndex(0));
        driver.writeReg(0x12, 1, 7);
        assertEquals(1, driver.usedIndex(0));
    }

    @Test
    void shouldDropAndCountFramesBeyondTheBacklog() {
        driver.initialise();
        for (int i = 0; i < VirtioNetPci.RX_BACKLOG; i++) {
            assertTrue(backend.sink.offer(frame(60, i), 0, 60));
        }
        assertFalse(backend.sink.offer(frame(60, 0), 0, 60));
        assertFalse(backend.sink.offer(new byte[70_000], 0, 70_000));
        assertEquals(2, nic.rxDropped());
        assertEquals(2, backend.stats.framesDropped.get());
        assertEquals(1, posted.size());
    }

    @Test
    void shouldDropFrameThatDoesNotFitTheBufferAndKeepTheBuffer() {
        driver.initialise();
        driver.addReceiveBuffer(0, RX_BUFFER, 64);
        backend.sink.offer(frame(100, 1), 0, 100);
        backend.sink.offer(frame(50, 2), 0, 50);
        runPosted();
        assertEquals(1, nic.rxDropped());
        assertEquals(1, driver.usedIndex(0));
        assertEquals(60, driver.usedLen(0, 0));
    }

    @Test
    void shouldNeedResetOnDescriptorLoopAndKeepOtherQueueWorking() {
        driver.initialise();
        driver.writeDescriptor(1, 0, TX_BUFFER, 16, SplitVirtqueue.DESC_F_NEXT, 1);
        driver.writeDescriptor(1, 1, TX_BUFFER, 16, SplitVirtqueue.DESC_F_NEXT, 0);
        driver.makeAvailable(1, 0);
        driver.kick(1);
        assertEquals(VirtioNetPci.STATUS_NEEDS_RESET, driver.status() & VirtioNetPci.STATUS_NEEDS_RESET);
        assertEquals(1, nic.ringErrors());
        assertTrue(backend.transmitted.isEmpty());
        driver.kick(1);
        assertEquals(1, nic.ringErrors(), "a broken queue is left alone");
        driver.addReceiveBuffer(0, RX_BUFFER, 1600);
        backend.sink.offer(frame(60, 1), 0, 60);
        runPosted();
        assertEquals(1, driver.usedIndex(0));
    }

    @Test
    void shouldNeedResetOnBufferOutsideRam() {
        driver.initialise();
        driver.writeDescriptor(1, 0, 0xFFFF_F000L, 64, 0, 0);
        driver.makeAvailable(1, 0);
        driver.kick(1);
        assertEquals(1, nic.ringErrors());
        assertEquals(0, driver.usedIndex(1));
    }

    @Test
    void shouldNeedResetOnDescriptorIndexPastTheTable() {
        driver.initialise();
        driver.makeAvailable(1, 300);
        driver.kick(1);
        assertEquals(1, nic.ringErrors());
    }

    @Test
    void shouldNeedResetOnAvailableIndexTooFarAhead() {
        driver.initialise();
        driver.setAvailIndex(1, 1000);
        driver.kick(1);
        assertEquals(1, nic.ringErrors());
        assertTrue(backend.transmitted.isEmpty());
    }

    @Test
    void shouldNeedResetOnRingsPlacedOutsideRam() {
        driver.writeReg(0x0E, 2, 1);
        driver.writeReg(0x08, 4, 0xFFFF0);
        driver.kick(1);
        assertEquals(VirtioNetPci.STATUS_NEEDS_RESET, driver.status() & VirtioNetPci.STATUS_NEEDS_RESET);
    }

    @Test
    void shouldWorkAgainAfterDriverResetsByWritingStatusZero() {
        driver.initialise();
        driver.makeAvailable(1, 999);
        driver.kick(1);
        assertEquals(1, nic.ringErrors());
        driver.initialise();
        assertEquals(7, driver.status());
        byte[] frame = frame(60, 8);
        driver.send(0, TX_BUFFER, frame);
        assertArrayEquals(frame, backend.transmitted.get(0));
    }

    @Test
    void shouldForgetRingsAndLowerInterruptOnReset() {
        driver.initialise();
        driver.send(0, TX_BUFFER, frame(60, 1));
        assertTrue(irqLevels[11]);
        driver.writeReg(0x12, 1, 0);
        assertFalse(irqLevels[11]);
        assertEquals(0, driver.status());
        driver.writeReg(0x0E, 2, 1);
        assertEquals(0, driver.reg(0x08, 4));
    }
}
