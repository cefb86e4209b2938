package dev.twinstep.devices.storage;

import static dev.twinstep.devices.storage.AtaHost.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identification, drive selection, the interrupt and its masking, and resets, through the ports. */
class AtaChannelControlTest {
    private static final int IDENTIFY = 0xEC, READ_SECTORS = 0x20, SET_MULTIPLE = 0xC6, NIEN = 0x02, SRST = 0x04;

    @TempDir
    Path dir;

    private RawDiskImage master;
    private RawDiskImage slave;
    private final RecordingIrqLine irq = new RecordingIrqLine();
    private AtaChannel channel;
    private AtaHost host;

    private void open(int masterSectors, int slaveSectors) throws IOException {
        master = RawDiskImage.open(Files.write(dir.resolve("master.img"), DiskFiles.patternedBytes(masterSectors, 0)), false);
        if (slaveSectors > 0) {
            slave = RawDiskImage.open(Files.write(dir.resolve("slave.img"), DiskFiles.patternedBytes(slaveSectors, 1)), false);
        }
        IoBus io = new IoBus();
        channel = new AtaChannel(master, slave, irq);
        channel.attach(io, null);
        host = new AtaHost(io);
    }

    @AfterEach
    void close() throws IOException {
        if (master != null) {
            master.close();
        }
        if (slave != null) {
            slave.close();
        }
    }

    private static int word(byte[] block, int index) {
        return (block[2 * index] & 0xFF) | (block[2 * index + 1] & 0xFF) << 8;
    }

    private static String string(byte[] block, int firstWord, int words) {
        byte[] chars = new byte[2 * words];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = block[2 * firstWord + (i ^ 1)];
        }
        return new String(chars, StandardCharsets.US_ASCII).trim();
    }

    private byte[] identify(int drive) {
        host.command(drive, IDENTIFY);
        assertEquals(DRDY | DSC | DRQ, host.status());
        byte[] block = host.insw(512);
        assertEquals(DRDY | DSC, host.status());
        return block;
    }

    @Test
    void shouldIdentifyTheMasterWithItsModelSizeAndCapabilities() throws IOException {
        open(1000, 0);
        byte[] block = identify(0);
        assertEquals(0x0040, word(block, 0), "fixed disk");
        assertEquals("TWINSTEP HARDDISK", string(block, 27, 20));
        assertEquals("TS0001", string(block, 10, 10));
        assertEquals("1.0", string(block, 23, 4));
        assertEquals(1000, word(block, 60) | word(block, 61) << 16, "LBA28 sectors");
        assertEquals(1000, word(block, 100) | word(block, 101) << 16, "LBA48 sectors");
        assertTrue((word(block, 49) & 0x0200) != 0, "LBA supported");
        assertEquals(0x8010, word(block, 47), "up to 16 sectors per READ/WRITE MULTIPLE");
        assertEquals(0x0110, word(block, 59), "multiple mode on at 16");
        assertTrue((word(block, 83) & 0x3400) == 0x3400 && (word(block, 83) & 0xC000) == 0x4000,
                "FLUSH CACHE, FLUSH CACHE EXT and LBA48 supported, word valid");
        assertEquals(0x3400, word(block, 86) & 0x3400, "and enabled");
        int sum = 0;
        for (byte b : block) {
            sum += b;
        }
        assertEquals(0xA5, block[510] & 0xFF);
        assertEquals(0, sum & 0xFF, "integrity word checksum");
    }

    @Test
    void shouldReportTheCurrentMultipleSettingInIdentify() throws IOException {
        open(100, 0);
        host.out8(SECTOR_COUNT, 2);
        host.command(0, SET_MULTIPLE);
        assertEquals(DRDY | DSC, host.status());
        assertEquals(0x0102, word(identify(0), 59));
    }

    @Test
    void shouldReadAnAbsentSlaveAsZeroAndIgnoreItsCommands() throws IOException {
        open(100, 0);
        host.select(1);
        assertEquals(0, host.status());
        assertEquals(0, host.altStatus());
        assertEquals(0, host.error());
        assertEquals(0, host.in8(SECTOR_COUNT));
        host.out8(COMMAND, IDENTIFY);
        assertFalse(irq.isHigh());
        assertEquals(0, host.status());
        assertEquals(0, host.io.read(DATA, 2));
        host.select(0);
        assertEquals(DRDY | DSC, host.status(), "the master is still there");
    }

    @Test
    void shouldReadFromTheSlaveImageWhenTheSlaveIsSelected() throws IOException {
        open(100, 50);
        assertEquals(50, word(identify(1), 60));
        assertEquals("TS0002", string(identify(1), 10, 10));
        host.lba28(1, 7, 1, READ_SECTORS);
        assertEquals(DRDY | DSC | DRQ, host.status());
        assertArrayEquals(DiskFiles.sectorPattern(7, 1), host.insw(512));
        host.lba28(0, 7, 1, READ_SECTORS);
        assertEquals(DRDY | DSC | DRQ, host.status());
        assertArrayEquals(DiskFiles.sectorPattern(7, 0), host.insw(512));
    }

    @Test
    void shouldAcknowledgeTheInterruptOnStatusReadButNotOnAlternateStatus() throws IOException {
        open(100, 0);
        host.command(0, IDENTIFY);
        assertTrue(irq.isHigh());
        assertEquals(DRDY | DSC | DRQ, host.altStatus());
        assertTrue(irq.isHigh());
        host.status();
        assertFalse(irq.isHigh());
    }

    @Test
    void shouldKeepTheLineLowWhileNienIsSetAndRaiseItWhenClearedIfStillPending() throws IOException {
        open(100, 0);
        host.out8(DEVICE_CONTROL, NIEN);
        host.command(0, IDENTIFY);
        assertFalse(irq.isHigh());
        assertEquals(DRDY | DSC | DRQ, host.altStatus(), "polling still works");
        host.out8(DEVICE_CONTROL, 0);
        assertTrue(irq.isHigh());
        host.status();
        assertFalse(irq.isHigh());

        host.out8(DEVICE_CONTROL, NIEN);
        host.insw(512);
        host.lba28(0, 1, 1, READ_SECTORS);
        assertEquals(DRDY | DSC | DRQ, host.status(), "a polled transfer");
        host.out8(DEVICE_CONTROL, 0);
        assertFalse(irq.isHigh(), "the status read acknowledged it while masked");
        assertEquals(1, irq.takeRisingEdges(), "only the identify interrupt, once unmasked, reached the line");
    }

    @Test
    void shouldAbortAnUnknownCommand() throws IOException {
        open(100, 0);
        host.command(0, 0xA1); // IDENTIFY PACKET DEVICE: ATA disks refuse it
        assertTrue(irq.isHigh());
        assertEquals(DRDY | DSC | ERR, host.status());
        assertEquals(ABRT, host.error());
        host.command(0, 0xC8); // READ DMA: no DMA here
        assertEquals(DRDY | DSC | ERR, host.status());
        assertEquals(ABRT, host.error());
    }

    @Test
    void shouldHoldBothDrivesBusyDuringSoftResetAndLeaveTheSignatureAfterIt() throws IOException {
        open(100, 50);
        host.lba28(1, 9, 4, READ_SECTORS);
        assertEquals(DRDY | DSC | DRQ, host.status());
        host.out8(DEVICE_CONTROL, SRST | NIEN);
        assertEquals(BSY, host.altStatus() & BSY);
        host.out8(DEVICE_CONTROL, NIEN);
        for (int drive = 1; drive >= 0; drive--) {
            host.select(drive);
            assertEquals(DRDY | DSC, host.status(), "drive " + drive);
            assertEquals(0x01, host.error(), "diagnostic passed");
            assertEquals(1, host.in8(SECTOR_COUNT));
            assertEquals(1, host.in8(LBA_LOW));
            assertEquals(0, host.in8(LBA_MID), "ATA, not ATAPI");
            assertEquals(0, host.in8(LBA_HIGH));
        }
        assertEquals(0, host.io.read(DATA, 2), "the transfer was cancelled");
        assertFalse(irq.isHigh());
    }

    @Test
    void shouldSelectTheMasterAfterSoftReset() throws IOException {
        open(100, 0);
        host.select(1);
        host.out8(DEVICE_CONTROL, SRST);
        host.out8(DEVICE_CONTROL, 0);
        assertEquals(0, host.in8(DEVICE) & 0x10);
        assertEquals(DRDY | DSC, host.status());
    }

    @Test
    void shouldKeepTheMultipleSettingAcrossSoftResetButNotAcrossPowerOnReset() throws IOException {
        open(100, 0);
        host.out8(SECTOR_COUNT, 4);
        host.command(0, SET_MULTIPLE);
        host.out8(DEVICE_CONTROL, SRST);
        host.out8(DEVICE_CONTROL, 0);
        assertEquals(0x0104, word(identify(0), 59));
        channel.reset();
        assertEquals(0x0110, word(identify(0), 59));
    }

    @Test
    void shouldReadBackTheHighOrderBytesWithHob() throws IOException {
        open(100, 0);
        host.out8(LBA_LOW, 0x12);
        host.out8(LBA_LOW, 0x34);
        assertEquals(0x34, host.in8(LBA_LOW));
        host.out8(DEVICE_CONTROL, 0x80);
        assertEquals(0x12, host.in8(LBA_LOW));
        host.out8(DEVICE_CONTROL, 0);
        assertEquals(0x34, host.in8(LBA_LOW));
    }

    @Test
    void shouldAcceptPioTransferModesButRefuseDmaModes() throws IOException {
        open(100, 0);
        host.out8(FEATURES, 0x03);
        host.out8(SECTOR_COUNT, 0x0C); // PIO flow-control mode 4
        host.command(0, 0xEF);
        assertEquals(DRDY | DSC, host.status());
        host.out8(FEATURES, 0x03);
        host.out8(SECTOR_COUNT, 0x45); // UDMA mode 5
        host.command(0, 0xEF);
        assertEquals(DRDY | DSC | ERR, host.status());
        assertEquals(ABRT, host.error());
    }

    @Test
    void shouldLeaveTheSignatureAndInterruptAfterExecuteDeviceDiagnostic() throws IOException {
        open(100, 0);
        host.out8(LBA_MID, 0x55);
        host.command(0, 0x90);
        assertTrue(irq.isHigh());
        assertEquals(DRDY | DSC, host.status());
        assertEquals(0x01, host.error());
        assertEquals(0, host.in8(LBA_MID));
        assertEquals(1, host.in8(SECTOR_COUNT));
    }
}
