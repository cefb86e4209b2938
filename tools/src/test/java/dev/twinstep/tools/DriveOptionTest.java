package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.devices.storage.AtaChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/** {@code --drive} values as QEMU spells them, and one clear message for each kind of bad one. */
class DriveOptionTest {
    @TempDir
    Path dir;

    private static String refusal(String value) {
        return assertThrows(TypeConversionException.class, () -> DriveOption.parse(value)).getMessage();
    }

    @Test
    void shouldParseTheFullQemuSpelling() {
        DriveOption drive = DriveOption.parse("file=disk.img,format=raw,if=ide,index=1,readonly=on");
        assertEquals(new DriveOption(Path.of("disk.img"), 1, true), drive);
    }

    @Test
    void shouldDefaultToARawWritableDriveAtTheNextFreeIndex() {
        assertEquals(new DriveOption(Path.of("d.img"), DriveOption.NEXT_FREE_INDEX, false), DriveOption.parse("file=d.img"));
    }

    @Test
    void shouldReadADoubledCommaAsACommaInTheFileName() {
        assertEquals(Path.of("a,b.img"), DriveOption.parse("file=a,,b.img,index=0").file());
    }

    @Test
    void shouldRefuseAnUnknownFormat() {
        assertEquals("format 'qcow2' is not supported: only format=raw", refusal("file=d.img,format=qcow2"));
    }

    @Test
    void shouldRefuseAnInterfaceOtherThanIde() {
        assertTrue(refusal("file=d.img,if=virtio").startsWith("if=virtio is not supported"));
    }

    @Test
    void shouldRefuseAnIndexOutOfRange() {
        assertEquals("index=2 is out of range: 0 (primary master) or 1 (primary slave)", refusal("file=d.img,index=2"));
        assertTrue(refusal("file=d.img,index=-1").startsWith("index=-1 is out of range"));
        assertTrue(refusal("file=d.img,index=x").startsWith("index=x is out of range"));
    }

    @Test
    void shouldRefuseAValueWithoutAFile() {
        assertTrue(refusal("format=raw,index=0").contains("file=PATH is required"));
        assertTrue(refusal("file=,index=0").startsWith("file= is empty"));
    }

    @Test
    void shouldRefuseUnknownRepeatedAndMalformedProperties() {
        assertTrue(refusal("file=d.img,cache=none").startsWith("unknown property 'cache'"));
        assertEquals("'index' is given twice", refusal("file=d.img,index=0,index=1"));
        assertTrue(refusal("file=d.img,readonly").startsWith("'readonly' is not key=value"));
        assertEquals("readonly=maybe is not on or off", refusal("file=d.img,readonly=maybe"));
    }

    @Test
    void shouldRefuseAMissingImageFileWhenOpening() {
        Path missing = dir.resolve("missing.img");
        List<DriveOption> drives = List.of(DriveOption.parse("file=" + missing + ",index=0"));
        UsageException e = assertThrows(UsageException.class, () -> DriveOption.openPrimaryChannel(drives, IrqLine.NONE));
        assertEquals("disk image '" + missing + "' does not exist", e.getMessage());
    }

    @Test
    void shouldRefuseADirectoryAsImage() {
        List<DriveOption> drives = List.of(DriveOption.parse("file=" + dir));
        UsageException e = assertThrows(UsageException.class, () -> DriveOption.openPrimaryChannel(drives, IrqLine.NONE));
        assertEquals("disk image '" + dir + "' is not a regular file", e.getMessage());
    }

    @Test
    void shouldRefuseTwoDrivesAtOneIndex() throws IOException {
        Path a = Files.write(dir.resolve("a.img"), new byte[1024]);
        Path b = Files.write(dir.resolve("b.img"), new byte[1024]);
        List<DriveOption> drives = List.of(DriveOption.parse("file=" + a + ",index=1"), DriveOption.parse("file=" + b + ",index=1"));
        UsageException e = assertThrows(UsageException.class, () -> DriveOption.openPrimaryChannel(drives, IrqLine.NONE));
        assertTrue(e.getMessage().startsWith("two --drive options for index=1 (primary slave)"), e.getMessage());
    }

    @Test
    void shouldRefuseAThirdDrive() throws IOException {
        List<DriveOption> drives = List.of(DriveOption.parse("file=a.img"), DriveOption.parse("file=b.img"),
                DriveOption.parse("file=c.img"));
        UsageException e = assertThrows(UsageException.class, () -> DriveOption.placeByIndex(drives));
        assertTrue(e.getMessage().startsWith("too many --drive options"), e.getMessage());
    }

    @Test
    void shouldPlaceDrivesWithoutIndexAtTheFirstFreeIndexAndOpenThem() throws IOException, UsageException {
        Path master = Files.write(dir.resolve("master.img"), new byte[4096]);
        Path slave = Files.write(dir.resolve("slave.img"), new byte[2048]);
        List<DriveOption> drives = List.of(DriveOption.parse("file=" + slave), DriveOption.parse("file=" + master + ",index=0,readonly=on"));
        try (AtaChannel channel = DriveOption.openPrimaryChannel(drives, IrqLine.NONE)) {
            assertEquals(8, channel.image(0).sectorCount());
            assertTrue(channel.image(0).isReadOnly());
            assertEquals(4, channel.image(1).sectorCount());
            assertFalse(channel.image(1).isReadOnly());
        }
    }

    @Test
    void shouldBuildAChannelWithoutDrivesWhenNoneAreGiven() throws UsageException {
        try (AtaChannel channel = DriveOption.openPrimaryChannel(List.of(), IrqLine.NONE)) {
            assertNull(channel.image(0));
            assertNull(channel.image(1));
        }
    }

    @Test
    void shouldReportAnImageInUseByAnotherDrive() throws IOException, UsageException {
        Path image = Files.write(dir.resolve("shared.img"), new byte[1024]);
        List<DriveOption> drives = List.of(DriveOption.parse("file=" + image + ",index=0"), DriveOption.parse("file=" + image + ",index=1"));
        UsageException e = assertThrows(UsageException.class, () -> DriveOption.openPrimaryChannel(drives, IrqLine.NONE));
        assertEquals("disk image '" + image + "' is already open as another drive", e.getMessage());
        DriveOption.openPrimaryChannel(List.of(drives.get(0)), IrqLine.NONE).close(); // the first was closed again
    }
}
