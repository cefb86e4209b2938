package dev.twinstep.devices.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A disk's contents as whole 512-byte sectors: the back end of a disk controller. Every write marks
 * its sectors in the image's {@link SectorDirtyLog} before the data reaches storage. Machine thread
 * only.
 */
public interface DiskImage extends Closeable {
    /** Bytes per sector. */
    int SECTOR_SIZE = 512;

    /** The number of addressable sectors. */
    long sectorCount();

    /** Whether writes are refused. */
    boolean isReadOnly();

    /** The log of sectors written since it was last taken. */
    SectorDirtyLog dirtyLog();

    /**
     * Reads {@code into.remaining() / 512} sectors starting at {@code sector} into {@code into}.
     *
     * @throws IllegalArgumentException if the range is not inside the image or not whole sectors
     * @throws IOException if the host storage fails
     */
    void read(long sector, ByteBuffer into) throws IOException;

    /**
     * Writes {@code from.remaining() / 512} sectors starting at {@code sector}.
     *
     * @throws IllegalArgumentException if the range is not inside the image or not whole sectors
     * @throws IOException if the image is read-only or the host storage fails
     */
    void write(long sector, ByteBuffer from) throws IOException;

    /** Forces every completed write to stable storage. */
    void flush() throws IOException;
}
