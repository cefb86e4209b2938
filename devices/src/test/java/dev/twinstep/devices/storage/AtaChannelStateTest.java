package dev.twinstep.devices.storage;

import static dev.twinstep.devices.storage.AtaHost.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.devices.state.MemoryState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "ata.primary" section: a PIO transfer cut in the middle finishes the same on a restored channel. */
class AtaChannelStateTest {
    private static final int SECTORS = 64;
    private static final int READ_SECTORS = 0x20, WRITE_SECTORS = 0x30;

    @TempDir
    Path dir;

    private final List<RawDiskImage> images = new ArrayList<>();

    /** A channel with one drive on its own copy of the same disk contents. */
    private final class Rig {
        final RawDiskImage image;
        final RecordingIrqLine irq = new RecordingIrqLine();
        final AtaChannel channel;
        final AtaHost host;

        Rig(String name, int sectors) throws IOException {
            image = RawDiskImage.open(Files.write(dir.resolve(name), DiskFiles.patternedBytes(sectors, 0)), false);
            images.add(image);
            channel = new AtaChannel(image, null, irq);
            IoBus io = new IoBus();
            channel.attach(io, null);
            host = new AtaHost(io);
        }
    }

    @AfterEach
    void closeImages() throws IOException {
        for (RawDiskImage image : images) {
            image.close();
        }
    }

    @Test
    void shouldFinishAReadCutInTheMiddleOfASector() throws IOException {
        Rig original = new Rig("a.img", SECTORS);
        original.host.lba28(0, 5, 2, READ_SECTORS);
        original.host.insw(200);
        byte[] section = MemoryState.save(original.channel);

        Rig restored = new Rig("b.img", SECTORS);
        MemoryState.load(restored.channel, section);
        assertArrayEquals(section, MemoryState.save(restored.channel));
        assertTrue(restored.irq.isHigh(), "the sector's interrupt is still pending");
        byte[] rest = original.host.insw(2 * 512 - 200);
        assertArrayEquals(rest, restored.host.insw(2 * 512 - 200));
        assertEquals(original.host.status(), restored.host.status());
    }

    @Test
    void shouldFinishAWriteCutInTheMiddleAndKeepTheDirtySectorLog() throws IOException {
        Rig original = new Rig("a.img", SECTORS);
        byte[] data = DiskFiles.filled(2, 0x5C);
        original.host.lba28(0, 40, 1, WRITE_SECTORS);
        original.host.outsw(data, 0, 512); // sector 40 written: dirty
        original.host.status();
        original.host.lba28(0, 10, 2, WRITE_SECTORS);
        original.host.outsw(data, 0, 300);
        byte[] section = MemoryState.save(original.channel);
        assertTrue(original.image.dirtyLog().isDirty(40), "saving does not clear the log");

        Rig restored = new Rig("b.img", SECTORS);
        MemoryState.load(restored.channel, section);
        assertTrue(restored.image.dirtyLog().isDirty(40));
        assertFalse(restored.image.dirtyLog().isDirty(10));
        restored.host.outsw(data, 300, 1024 - 300);
        assertEquals(DRDY | DSC, restored.host.status());
        assertTrue(restored.image.dirtyLog().isDirty(10) && restored.image.dirtyLog().isDirty(11));
        restored.image.flush();
        byte[] written = Files.readAllBytes(dir.resolve("b.img"));
        assertArrayEquals(data, DiskFiles.slice(written, 10, 2));
    }

    @Test
    void shouldRefuseADriveOfAnotherSize() throws IOException {
        byte[] section = MemoryState.save(new Rig("a.img", SECTORS).channel);
        Rig other = new Rig("b.img", SECTORS * 2);
        assertThrows(StateFormatException.class, () -> MemoryState.load(other.channel, section));
    }
}
