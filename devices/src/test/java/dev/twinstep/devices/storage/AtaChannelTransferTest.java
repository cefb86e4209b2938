package dev.twinstep.devices.storage;

import static dev.twinstep.devices.storage.AtaHost.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.DirtySet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sector reads and writes through the ports, on a real image file, as a PIO driver makes them. */
class AtaChannelTransferTest {
    private static final int SECTORS = 300;
    private static final int READ_SECTORS = 0x20, READ_SECTORS_EXT = 0x24, WRITE_SECTORS = 0x30,
            WRITE_SECTORS_EXT = 0x34, READ_MULTIPLE = 0xC4, WRITE_MULTIPLE = 0xC5, SET_MULTIPLE = 0xC6,
            FLUSH_CACHE = 0xE7;

    @TempDir
    Path dir;

    private Path file;
    private byte[] original;
    private RawDiskImage image;
    private final RecordingIrqLine irq = new RecordingIrqLine();
    private AtaHost host;

    private void open(boolean readOnly) throws IOException {
        original = DiskFiles.patternedBytes(SECTORS, 0);
        file = Files.write(dir.resolve("disk.img"), original);
        image = RawDiskImage.open(file, readOnly);
        IoBus io = new IoBus();
        new AtaChannel(image, null, irq).attach(io, null);
        host = new AtaHost(io);
    }

    @AfterEach
    void close() throws IOException {
        if (image != null) {
            image.close();
        }
    }

    /** Waits for DRQ the way a driver does: alternate status until not busy, then status (acknowledging). */
    private void expectDataRequest() {
        assertEquals(0, host.altStatus() & BSY);
        int status = host.status();
        assertEquals(DRDY | DSC | DRQ, status, "status " + Integer.toHexString(status));
    }

    private void expectDoneWithoutError() {
        assertEquals(DRDY | DSC, host.status());
    }

    @Test
    void shouldReadOneSectorWithSixteenBitAccessesAndInterruptOnce() throws IOException {
        open(false);
        host.lba28(0, 5, 1, READ_SECTORS);
        assertTrue(irq.isHigh());
        expectDataRequest();
        assertFalse(irq.isHigh(), "a status read acknowledges the interrupt");
        assertArrayEquals(DiskFiles.slice(original, 5, 1), host.insw(512));
        expectDoneWithoutError();
        assertEquals(1, irq.takeRisingEdges());
    }

    @Test
    void shouldReadSeveralSectorsInterruptingBeforeEachOne() throws IOException {
        open(false);
        host.lba28(0, 10, 3, READ_SECTORS);
        for (int sector = 10; sector < 13; sector++) {
            assertTrue(irq.isHigh(), "interrupt for sector " + sector);
            expectDataRequest();
            assertArrayEquals(DiskFiles.slice(original, sector, 1), host.insw(512));
        }
        assertEquals(3, irq.takeRisingEdges());
        assertFalse(irq.isHigh());
        expectDoneWithoutError();
    }

    @Test
    void shouldReadWithThirtyTwoBitAccesses() throws IOException {
        open(false);
        host.lba28(0, 2, 2, READ_SECTORS);
        expectDataRequest();
        byte[] first = host.insd(512);
        expectDataRequest();
        byte[] second = host.insd(512);
        assertArrayEquals(DiskFiles.slice(original, 2, 1), first);
        assertArrayEquals(DiskFiles.slice(original, 3, 1), second);
        expectDoneWithoutError();
    }

    @Test
    void shouldTreatASectorCountOfZeroAs256Sectors() throws IOException {
        open(false);
        host.lba28(0, 40, 0, READ_SECTORS);
        for (int sector = 40; sector < 40 + 256; sector++) {
            expectDataRequest();
            assertArrayEquals(DiskFiles.slice(original, sector, 1), host.insw(512), "sector " + sector);
        }
        expectDoneWithoutError();
        assertEquals(256, irq.takeRisingEdges());
    }

    @Test
    void shouldWriteSectorsToTheFileAndInterruptAfterEachSectorIsTaken() throws IOException {
        open(false);
        image.dirtyLog().takeAndClear();
        byte[] data = DiskFiles.patternedBytes(3, 99);
        host.lba28(0, 20, 3, WRITE_SECTORS);
        assertFalse(irq.isHigh(), "the first sector is requested without an interrupt");
        expectDataRequest();
        for (int i = 0; i < 3; i++) {
            host.outsw(data, i * 512, 512);
            assertTrue(irq.isHigh(), "interrupt after sector " + i);
            assertEquals(i < 2 ? DRDY | DSC | DRQ : DRDY | DSC, host.status());
        }
        assertEquals(3, irq.takeRisingEdges());
        byte[] expected = original.clone();
        System.arraycopy(data, 0, expected, 20 * 512, data.length);
        assertArrayEquals(expected, Files.readAllBytes(file));
        assertArrayEquals(new int[] {20, 21, 22}, image.dirtyLog().takeAndClear().toArray());
    }

    @Test
    void shouldWriteWithThirtyTwoBitAccessesAndReadTheDataBack() throws IOException {
        open(false);
        byte[] data = DiskFiles.patternedBytes(2, 55);
        host.lba28(0, 100, 2, WRITE_SECTORS);
        expectDataRequest();
        host.outsd(data, 0, 512);
        expectDataRequest();
        host.outsd(data, 512, 512);
        expectDoneWithoutError();
        host.lba28(0, 100, 2, READ_SECTORS);
        expectDataRequest();
        byte[] first = host.insw(512);
        expectDataRequest();
        byte[] second = host.insd(512);
        assertArrayEquals(DiskFiles.slice(data, 0, 1), first);
        assertArrayEquals(DiskFiles.slice(data, 1, 1), second);
    }

    @Test
    void shouldReadMultipleInBlocksOfTheMultipleCountWithOneInterruptPerBlock() throws IOException {
        open(false);
        host.out8(SECTOR_COUNT, 4);
        host.command(0, SET_MULTIPLE);
        expectDoneWithoutError();
        irq.takeRisingEdges();
        host.lba28(0, 50, 10, READ_MULTIPLE);
        int[] blocks = {4, 4, 2};
        int sector = 50;
        for (int block : blocks) {
            assertTrue(irq.isHigh());
            expectDataRequest();
            assertArrayEquals(DiskFiles.slice(original, sector, block), host.insw(block * 512), "block at " + sector);
            sector += block;
        }
        expectDoneWithoutError();
        assertEquals(3, irq.takeRisingEdges());
    }

    @Test
    void shouldWriteMultipleInBlocksAndMarkExactlyTheWrittenSectors() throws IOException {
        open(false);
        host.out8(SECTOR_COUNT, 8);
        host.command(0, SET_MULTIPLE);
        expectDoneWithoutError();
        irq.takeRisingEdges();
        image.dirtyLog().takeAndClear();
        byte[] data = DiskFiles.patternedBytes(11, 7);
        host.lba28(0, 200, 11, WRITE_MULTIPLE);
        expectDataRequest();
        host.outsw(data, 0, 8 * 512);
        assertTrue(irq.isHigh());
        expectDataRequest();
        host.outsw(data, 8 * 512, 3 * 512);
        assertTrue(irq.isHigh());
        expectDoneWithoutError();
        assertEquals(2, irq.takeRisingEdges());
        byte[] expected = original.clone();
        System.arraycopy(data, 0, expected, 200 * 512, data.length);
        assertArrayEquals(expected, Files.readAllBytes(file));
        DirtySet dirty = image.dirtyLog().takeAndClear();
        assertEquals(11, dirty.count());
        assertFalse(dirty.contains(199));
        assertTrue(dirty.contains(200) && dirty.contains(210));
        assertFalse(dirty.contains(211));
    }

    @Test
    void shouldAbortSetMultipleWithACountThatIsNotAPowerOfTwoOrTooLarge() throws IOException {
        open(false);
        for (int count : new int[] {3, 32}) {
            host.out8(SECTOR_COUNT, count);
            host.command(0, SET_MULTIPLE);
            assertEquals(DRDY | DSC | ERR, host.status());
            assertEquals(ABRT, host.error());
        }
    }

    @Test
    void shouldAbortReadMultipleWhenMultipleModeIsOff() throws IOException {
        open(false);
        host.out8(SECTOR_COUNT, 0);
        host.command(0, SET_MULTIPLE);
        expectDoneWithoutError();
        host.lba28(0, 0, 1, READ_MULTIPLE);
        assertEquals(DRDY | DSC | ERR, host.status());
        assertEquals(ABRT, host.error());
        assertEquals(0, host.io.read(DATA, 2));
    }

    @Test
    void shouldFailWithIdnfWhenTheRangeEndsPastTheImageAndMoveNoData() throws IOException {
        open(false);
        host.lba28(0, SECTORS - 2, 3, WRITE_SECTORS);
        assertTrue(irq.isHigh(), "errors interrupt too");
        assertEquals(DRDY | DSC | ERR, host.status());
        assertEquals(IDNF, host.error());
        host.outsw(DiskFiles.filled(3, 0xEE), 0, 3 * 512);
        assertArrayEquals(original, Files.readAllBytes(file));
        assertEquals(0, image.dirtyLog().count());

        host.lba28(0, SECTORS, 1, READ_SECTORS);
        assertEquals(DRDY | DSC | ERR, host.status());
        assertEquals(IDNF, host.error());
    }

    @Test
    void shouldReadTheLastSectorOfTheImage() throws IOException {
        open(false);
        host.lba28(0, SECTORS - 1, 1, READ_SECTORS);
        expectDataRequest();
        assertArrayEquals(DiskFiles.slice(original, SECTORS - 1, 1), host.insw(512));
    }

    @Test
    void shouldRefuseAWriteToAReadOnlyImageWithAbrtAndLeaveTheFileUnchanged() throws IOException {
        open(true);
        host.lba28(0, 0, 2, WRITE_SECTORS);
        assertTrue(irq.isHigh());
        assertEquals(DRDY | DSC | ERR, host.status());
        assertEquals(ABRT, host.error());
        host.outsw(DiskFiles.filled(2, 0x5A), 0, 1024); // a careless driver sends the data anyway
        assertArrayEquals(original, Files.readAllBytes(file));
        assertEquals(0, image.dirtyLog().count());

        host.lba28(0, 1, 1, READ_SECTORS);
        expectDataRequest();
        assertArrayEquals(DiskFiles.slice(original, 1, 1), host.insw(512), "reads still work");
    }

    @Test
    void shouldCompleteFlushCacheWithAnInterrupt() throws IOException {
        open(false);
        host.lba28(0, 3, 1, WRITE_SECTORS);
        host.outsw(DiskFiles.filled(1, 0x11), 0, 512);
        host.status();
        irq.takeRisingEdges();
        host.command(0, FLUSH_CACHE);
        assertEquals(1, irq.takeRisingEdges());
        expectDoneWithoutError();
        assertArrayEquals(DiskFiles.filled(1, 0x11), DiskFiles.slice(Files.readAllBytes(file), 3, 1));
    }

    @Test
    void shouldReadAndWriteWithLba48Commands() throws IOException {
        open(false);
        byte[] data = DiskFiles.patternedBytes(2, 3);
        host.lba48(0, 260, 2, WRITE_SECTORS_EXT);
        expectDataRequest();
        host.outsw(data, 0, 512);
        expectDataRequest();
        host.outsw(data, 512, 512);
        expectDoneWithoutError();
        host.lba48(0, 259, 3, READ_SECTORS_EXT);
        expectDataRequest();
        assertArrayEquals(DiskFiles.slice(original, 259, 1), host.insw(512));
        expectDataRequest();
        assertArrayEquals(DiskFiles.slice(data, 0, 1), host.insw(512));
        expectDataRequest();
        assertArrayEquals(DiskFiles.slice(data, 1, 1), host.insw(512));
        expectDoneWithoutError();
    }

    @Test
    void shouldRefuseAnLba48AddressBeyondTheImageWithIdnf() throws IOException {
        open(false);
        host.lba48(0, 1L << 32, 1, READ_SECTORS_EXT);
        assertEquals(DRDY | DSC | ERR, host.status());
        assertEquals(IDNF, host.error());
    }

    @Test
    void shouldTranslateChsAddressesWithSixteenHeadsAndSixtyThreeSectors() throws IOException {
        open(false);
        // Cylinder 0, head 1, sector 5 is LBA 63 + 4 = 67.
        host.out8(DEVICE, 0xA0 | 1);
        host.out8(SECTOR_COUNT, 1);
        host.out8(LBA_LOW, 5);
        host.out8(LBA_MID, 0);
        host.out8(LBA_HIGH, 0);
        host.out8(COMMAND, READ_SECTORS);
        expectDataRequest();
        assertArrayEquals(DiskFiles.slice(original, 67, 1), host.insw(512));

        host.out8(LBA_LOW, 0); // CHS sectors count from 1
        host.out8(COMMAND, READ_SECTORS);
        assertEquals(DRDY | DSC | ERR, host.status());
        assertEquals(IDNF, host.error());
    }

    @Test
    void shouldCarryAnAccessThatStraddlesTwoSectorsAcrossTheBoundary() throws IOException {
        open(false);
        host.lba28(0, 30, 2, READ_SECTORS);
        expectDataRequest();
        byte[] data = new byte[1024];
        int word = host.io.read(DATA, 2); // one 16-bit read puts the 32-bit reads off by two
        data[0] = (byte) word;
        data[1] = (byte) (word >>> 8);
        for (int i = 2; i < 1022; i += 4) {
            int dword = host.io.read(DATA, 4);
            for (int b = 0; b < 4; b++) {
                data[i + b] = (byte) (dword >>> (8 * b));
            }
        }
        word = host.io.read(DATA, 2);
        data[1022] = (byte) word;
        data[1023] = (byte) (word >>> 8);
        assertArrayEquals(DiskFiles.slice(original, 30, 2), data);
        expectDoneWithoutError();

        byte[] written = DiskFiles.patternedBytes(2, 42);
        host.lba28(0, 30, 2, WRITE_SECTORS);
        host.outsw(written, 0, 2);
        host.outsd(written, 2, 1020);
        host.outsw(written, 1022, 2);
        expectDoneWithoutError();
        assertArrayEquals(written, DiskFiles.slice(Files.readAllBytes(file), 30, 2));
    }

    @Test
    void shouldDropDataWrittenWithoutADataRequest() throws IOException {
        open(false);
        host.outsw(DiskFiles.filled(1, 0x99), 0, 512);
        assertArrayEquals(original, Files.readAllBytes(file));
        assertEquals(0, image.dirtyLog().count());
    }
}
