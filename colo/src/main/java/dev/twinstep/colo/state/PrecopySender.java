package dev.twinstep.colo.state;

import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.storage.DiskImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Pre-copy rounds of a live migration or of a COLO initial sync: RAM pages and disk sectors sent in
 * batches while the guest runs. The dirty bits are taken while the machine is paused
 * ({@link #takeDirty}); the contents are read afterwards, from this thread, while the guest may be
 * writing them. A page or sector torn that way is harmless: the guest's write set its dirty bit
 * again after the take, so the next round (or the final stop-and-copy) sends it once more.
 *
 * <p>Batches: {@link ColoMessage#RAM_BATCH}, int count, count x (int page, 4096 bytes), int CRC32C;
 * {@link ColoMessage#DISK_BATCH}, int disk, long first sector, int count, count x 512 bytes, int CRC32C.
 */
public final class PrecopySender {
    /** Pages per RAM batch (1 MiB). */
    public static final int PAGES_PER_BATCH = 256;
    /** Sectors per disk batch (64 KiB). */
    public static final int SECTORS_PER_BATCH = 128;

    private final ReplicatedMachine replica;
    private final ReplicationChannel channel;
    private final long[] pageBits;
    private final long[][] sectorBits;
    private final byte[] batch = new byte[PAGES_PER_BATCH * (4 + GuestMemory.PAGE_SIZE)];
    private final ByteBuffer sectors = ByteBuffer.allocate(SECTORS_PER_BATCH * DiskImage.SECTOR_SIZE);
    private final CRC32C crc = new CRC32C();
    private long bytesSent;

    /** A sender of {@code replica}'s RAM and disks over {@code channel}. */
    public PrecopySender(ReplicatedMachine replica, ReplicationChannel channel) {
        this.replica = replica;
        this.channel = channel;
        this.pageBits = new long[replica.machine().memory().dirtyLog().wordCount()];
        this.sectorBits = new long[replica.disks().size()][];
        for (int i = 0; i < sectorBits.length; i++) {
            sectorBits[i] = new long[replica.disks().get(i).dirtyLog().wordCount()];
        }
    }

    /** Bytes put on the wire so far. */
    public long bytesSent() {
        return bytesSent;
    }

    /**
     * Takes the pages and sectors dirty since the previous take (the {@code REPLICATION} logs) for the
     * next {@link #sendTaken()}. Machine paused.
     *
     * @return the number of dirty pages taken
     */
    public int takeDirty() {
        int pages = replica.machine().memory().dirtyLog().takeAndClear(DirtyLog.Client.REPLICATION, pageBits);
        for (int i = 0; i < sectorBits.length; i++) {
            replica.disks().get(i).dirtyLog().takeAndClear(sectorBits[i]);
        }
        return pages;
    }

    /**
     * Sends every non-zero page of RAM and every sector of every disk (the first round; the receiver
     * starts from zeroed RAM). Call {@link #takeDirty()} in a pause first, so that later rounds send
     * only what changed after this copy started.
     */
    public void sendEverything() throws IOException {
        int pages = (int) (replica.machine().memory().ramSize() >>> GuestMemory.PAGE_SHIFT);
        sendPages(pages, null);
        for (int d = 0; d < replica.disks().size(); d++) {
            DiskImage disk = replica.disks().get(d);
            for (long first = 0; first < disk.sectorCount(); first += SECTORS_PER_BATCH) {
                sendSectors(d, first, (int) Math.min(SECTORS_PER_BATCH, disk.sectorCount() - first));
            }
        }
    }

    /** Sends the pages and sectors of the last {@link #takeDirty()}. */
    public void sendTaken() throws IOException {
        sendPages(pageBits.length << 6, pageBits);
        for (int d = 0; d < sectorBits.length; d++) {
            long[] bits = sectorBits[d];
            long count = replica.disks().get(d).sectorCount();
            for (long sector = 0; sector < count; sector++) {
                if ((bits[(int) (sector >>> 6)] & (1L << sector)) == 0) {
                    continue;
                }
                long first = sector;
                while (sector + 1 < count && sector + 1 - first < SECTORS_PER_BATCH
                        && (bits[(int) ((sector + 1) >>> 6)] & (1L << (sector + 1))) != 0) {
                    sector++;
                }
                sendSectors(d, first, (int) (sector + 1 - first));
            }
        }
    }

    /** Sends pages {@code 0..limit-1} that are set in {@code bits} (all non-zero pages when null). */
    private void sendPages(int limit, long[] bits) throws IOException {
        UnsafeBuffer ram = replica.machine().memory().ram();
        int ramPages = (int) (replica.machine().memory().ramSize() >>> GuestMemory.PAGE_SHIFT);
        int count = 0;
        int at = 0;
        for (int page = 0; page < Math.min(limit, ramPages); page++) {
            if (bits != null ? (bits[page >>> 6] & (1L << page)) == 0 : isZero(ram, page)) {
                continue;
            }
            putInt(batch, at, page);
            ram.getBytes(page << GuestMemory.PAGE_SHIFT, batch, at + 4, GuestMemory.PAGE_SIZE);
            at += 4 + GuestMemory.PAGE_SIZE;
            if (++count == PAGES_PER_BATCH) {
                flushPages(count, at);
                count = 0;
                at = 0;
            }
        }
        if (count > 0) {
            flushPages(count, at);
        }
    }

    private static boolean isZero(UnsafeBuffer ram, int page) {
        int base = page << GuestMemory.PAGE_SHIFT;
        for (int i = 0; i < GuestMemory.PAGE_SIZE; i += 8) {
            if (ram.getLong(base + i) != 0) {
                return false;
            }
        }
        return true;
    }

    private void flushPages(int count, int length) throws IOException {
        crc.reset();
        crc.update(batch, 0, length);
        int sum = (int) crc.getValue();
        channel.write(out -> {
            out.writeInt(ColoMessage.RAM_BATCH.code);
            out.writeInt(count);
            out.write(batch, 0, length);
            out.writeInt(sum);
        });
        bytesSent += 12L + length;
    }

    private void sendSectors(int disk, long first, int count) throws IOException {
        sectors.clear().limit(count * DiskImage.SECTOR_SIZE);
        replica.disks().get(disk).read(first, sectors);
        int length = count * DiskImage.SECTOR_SIZE;
        crc.reset();
        crc.update(sectors.array(), 0, length);
        int sum = (int) crc.getValue();
        channel.write(out -> {
            out.writeInt(ColoMessage.DISK_BATCH.code);
            out.writeInt(disk);
            out.writeLong(first);
            out.writeInt(count);
            out.write(sectors.array(), 0, length);
            out.writeInt(sum);
        });
        bytesSent += 24L + length;
    }

    private static void putInt(byte[] into, int at, int value) {
        into[at] = (byte) (value >>> 24);
        into[at + 1] = (byte) (value >>> 16);
        into[at + 2] = (byte) (value >>> 8);
        into[at + 3] = (byte) value;
    }
}
