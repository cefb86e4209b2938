package dev.twinstep.devices.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw image back end on real files. */
class RawDiskImageTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadAndWriteSectorsAtTheirFileOffsets() throws IOException {
        Path file = DiskFiles.patterned(dir, "disk.img", 8);
        try (RawDiskImage image = RawDiskImage.open(file, false)) {
            assertEquals(8, image.sectorCount());
            ByteBuffer sector = ByteBuffer.allocate(512);
            image.read(6, sector);
            assertArrayEquals(DiskFiles.sectorPattern(6, 0), sector.array());
            image.write(2, ByteBuffer.wrap(DiskFiles.filled(2, 0x77)));
        }
        byte[] expected = DiskFiles.patternedBytes(8, 0);
        System.arraycopy(DiskFiles.filled(2, 0x77), 0, expected, 1024, 1024);
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void shouldNotAddressATrailingPartialSectorAndNeverTouchIt() throws IOException {
        byte[] content = new byte[3 * 512 + 100];
        java.util.Arrays.fill(content, (byte) 0x3C);
        Path file = Files.write(dir.resolve("odd.img"), content);
        try (RawDiskImage image = RawDiskImage.open(file, false)) {
            assertEquals(3, image.sectorCount());
            assertEquals(100, image.trailingBytes());
            assertThrows(IllegalArgumentException.class, () -> image.write(3, ByteBuffer.allocate(512)));
            assertThrows(IllegalArgumentException.class, () -> image.read(2, ByteBuffer.allocate(1024)));
            image.write(2, ByteBuffer.allocate(512));
        }
        byte[] expected = content.clone();
        java.util.Arrays.fill(expected, 1024, 1536, (byte) 0);
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void shouldRefuseAWriteToAReadOnlyImageAndLeaveTheFileAndLogUnchanged() throws IOException {
        Path file = DiskFiles.patterned(dir, "ro.img", 4);
        try (RawDiskImage image = RawDiskImage.open(file, true)) {
            assertTrue(image.isReadOnly());
            IOException e = assertThrows(IOException.class, () -> image.write(0, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertEquals(0, image.dirtyLog().count());
            image.flush();
        }
        assertArrayEquals(DiskFiles.patternedBytes(4, 0), Files.readAllBytes(file));
    }

    @Test
    void shouldMarkExactlyTheWrittenSectorsDirty() throws IOException {
        Path file = DiskFiles.patterned(dir, "disk.img", 200);
        try (RawDiskImage image = RawDiskImage.open(file, false)) {
            image.write(63, ByteBuffer.allocate(3 * 512));
            image.write(128, ByteBuffer.allocate(512));
            image.read(0, ByteBuffer.allocate(512 * 10));
            assertArrayEquals(new int[] {63, 64, 65, 128}, image.dirtyLog().takeAndClear().toArray());
            assertEquals(0, image.dirtyLog().count());
        }
    }

    @Test
    void shouldRefuseAMissingFileWithTheReason() {
        Path missing = dir.resolve("missing.img");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> RawDiskImage.open(missing, false));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void shouldRefuseADirectory() {
        IOException e = assertThrows(IOException.class, () -> RawDiskImage.open(dir, true));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void shouldRefuseToOpenAnImageThatIsAlreadyInUse() throws IOException {
        Path file = DiskFiles.patterned(dir, "disk.img", 4);
        try (RawDiskImage first = RawDiskImage.open(file, false)) {
            IOException e = assertThrows(IOException.class, () -> RawDiskImage.open(file, false));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
        RawDiskImage.open(file, false).close(); // released on close
    }
}
