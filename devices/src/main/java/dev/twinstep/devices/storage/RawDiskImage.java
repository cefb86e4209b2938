package dev.twinstep.devices.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw image file: sector {@code n} is bytes {@code [512n, 512n+512)} of the file, read and written
 * with positional {@link FileChannel} I/O. The file's size is fixed when it is opened and nothing is
 * ever written past it; a trailing partial sector (a size that is not a multiple of 512) is kept
 * intact but is not addressable, as in QEMU.
 *
 * <p>The file is locked while open (shared for a read-only image, exclusive otherwise), so that two
 * emulators never write one image. Host resources are not part of a device's saved state: a restore
 * reopens the image by path.
 */
public final class RawDiskImage implements DiskImage {
    private static final System.Logger LOG = System.getLogger(RawDiskImage.class.getName());

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean readOnly;
    private final long sectorCount;
    private final long trailingBytes;
    private final SectorDirtyLog dirtyLog;

    private RawDiskImage(Path path, FileChannel channel, FileLock lock, boolean readOnly, long size) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.readOnly = readOnly;
        this.sectorCount = size / SECTOR_SIZE;
        this.trailingBytes = size % SECTOR_SIZE;
        this.dirtyLog = new SectorDirtyLog(sectorCount);
    }

    /**
     * Opens {@code path} as a raw image.
     *
     * @throws IOException with a one-line message a user can act on: the file is missing, not a
     *     regular file, not accessible, in use by another process, or too large
     */
    public static RawDiskImage open(Path path, boolean readOnly) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "disk image does not exist");
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("disk image '" + path + "' is not a regular file");
        }
        FileChannel channel;
        try {
            channel = readOnly
                    ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(path.toString(), null,
                    readOnly ? "permission denied" : "permission denied (use readonly=on for a read-only image)");
        }
        try {
            long size = channel.size();
            if (size / SECTOR_SIZE > SectorDirtyLog.MAX_SECTORS) {
                throw new IOException("disk image '" + path + "' is larger than 128 GiB, the most an LBA28 disk holds");
            }
            FileLock lock = tryLock(channel, readOnly, path);
            if (size % SECTOR_SIZE != 0) {
                LOG.log(System.Logger.Level.WARNING, "disk image '" + path + "' is " + size
                        + " bytes, not a whole number of 512-byte sectors: its last " + size % SECTOR_SIZE
                        + " bytes are not addressable");
            }
            return new RawDiskImage(path, channel, lock, readOnly, size);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel, boolean shared, Path path) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException e) {
            throw new IOException("disk image '" + path + "' is already open as another drive");
        }
        if (lock == null) {
            throw new IOException("disk image '" + path + "' is in use by another process");
        }
        return lock;
    }

    /** The image file. */
    public Path path() {
        return path;
    }

    /** Bytes at the end of the file past the last whole sector; they are never read or written. */
    public long trailingBytes() {
        return trailingBytes;
    }

    @Override
    public long sectorCount() {
        return sectorCount;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public SectorDirtyLog dirtyLog() {
        return dirtyLog;
    }

    @Override
    public void read(long sector, ByteBuffer into) throws IOException {
        checkRange(sector, into.remaining());
        long position = sector * SECTOR_SIZE;
        while (into.hasRemaining()) {
            int n = channel.read(into, position);
            if (n < 0) {
                throw new IOException("disk image '" + path + "' shrank while in use");
            }
            position += n;
        }
    }

    @Override
    public void write(long sector, ByteBuffer from) throws IOException {
        if (readOnly) {
            throw new IOException("disk image '" + path + "' is read-only");
        }
        int sectors = checkRange(sector, from.remaining());
        dirtyLog.markRange(sector, sectors);
        long position = sector * SECTOR_SIZE;
        while (from.hasRemaining()) {
            position += channel.write(from, position);
        }
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            channel.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (!readOnly) {
                channel.force(false);
            }
        } finally {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        }
    }

    private int checkRange(long sector, int bytes) {
        if (bytes % SECTOR_SIZE != 0) {
            throw new IllegalArgumentException("not whole sectors: " + bytes + " bytes");
        }
        int sectors = bytes / SECTOR_SIZE;
        if (sector < 0 || sector + sectors > sectorCount) {
            throw new IllegalArgumentException("sectors " + sector + "+" + sectors + " outside an image of "
                    + sectorCount + " sectors");
        }
        return sectors;
    }
}
