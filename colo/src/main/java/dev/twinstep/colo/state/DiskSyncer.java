package dev.twinstep.colo.state;

import dev.twinstep.devices.storage.DiskImage;
import java.io.IOException;
import java.util.List;

/**
 * Pushes a replica's disk images to stable storage in the background after each applied epoch, so
 * that the page cache never holds much unwritten replica data: the guest's first cache flush after
 * a take-over is then short. Off the checkpoint's path: applying an epoch only asks for a sync.
 * A failed sync is retried at the next request (the guest's own flush reports a lasting failure).
 */
public final class DiskSyncer implements AutoCloseable {
    private final List<DiskImage> disks;
    private final Thread thread;
    private boolean requested;
    private boolean closed;

    /** Starts the background thread for {@code disks}. */
    public DiskSyncer(List<DiskImage> disks) {
        this.disks = disks;
        this.thread = new Thread(this::loop, "twinstep-replica-disk-sync");
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks for a sync of every disk; returns at once. */
    public synchronized void request() {
        requested = true;
        notifyAll();
    }

    private void loop() {
        while (true) {
            synchronized (this) {
                while (!requested && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                requested = false;
            }
            for (DiskImage disk : disks) {
                try {
                    disk.flush();
                } catch (IOException e) {
                    // Retried at the next request.
                }
            }
        }
    }

    /** Stops the thread once it is idle. */
    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
