package dev.twinstep.colo.replication;

import dev.twinstep.devices.storage.DiskImage;
import dev.twinstep.devices.storage.SectorDirtyLog;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A real disk image whose writes can be made to fail, as a full or failing host disk would. */
final class FailingDisk implements DiskImage {
    private final DiskImage image;
    private volatile boolean failWrites;

    FailingDisk(DiskImage image) {
        this.image = image;
    }

    /** From now on every write fails. */
    void failWrites() {
        failWrites = true;
    }

    @Override
    public long sectorCount() {
        return image.sectorCount();
    }

    @Override
    public boolean isReadOnly() {
        return image.isReadOnly();
    }

    @Override
    public SectorDirtyLog dirtyLog() {
        return image.dirtyLog();
    }

    @Override
    public void read(long sector, ByteBuffer into) throws IOException {
        image.read(sector, into);
    }

    @Override
    public void write(long sector, ByteBuffer from) throws IOException {
        if (failWrites) {
            throw new IOException("injected write failure at sector " + sector);
        }
        image.write(sector, from);
    }

    @Override
    public void flush() throws IOException {
        image.flush();
    }

    @Override
    public void close() throws IOException {
        image.close();
    }
}
