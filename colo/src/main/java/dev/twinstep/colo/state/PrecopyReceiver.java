package dev.twinstep.colo.state;

import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ProtocolException;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.storage.DiskImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The receiving end of {@link PrecopySender}: each batch is read whole, its CRC32C checked, its page
 * or sector numbers checked, and only then written into the machine, which does not run yet (a
 * migration destination or a secondary being synced is not authoritative until its final epoch is
 * loaded; if the sync fails it is thrown away).
 */
public final class PrecopyReceiver {
    private final ReplicatedMachine replica;
    private final byte[] batch = new byte[PrecopySender.PAGES_PER_BATCH * (4 + GuestMemory.PAGE_SIZE)];
    private final CRC32C crc = new CRC32C();
    private long pagesReceived;
    private long sectorsReceived;

    /** A receiver writing into {@code replica}. */
    public PrecopyReceiver(ReplicatedMachine replica) {
        this.replica = replica;
    }

    /** Zeroes RAM: the sender skips zero pages in its first round. */
    public void clearRam() {
        GuestMemory memory = replica.machine().memory();
        memory.ram().setMemory(0, (int) memory.ramSize(), (byte) 0);
    }

    /** Pages applied so far. */
    public long pagesReceived() {
        return pagesReceived;
    }

    /** Sectors applied so far. */
    public long sectorsReceived() {
        return sectorsReceived;
    }

    /** Reads and applies the body of a {@link ColoMessage#RAM_BATCH}. */
    public void receivePages(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > PrecopySender.PAGES_PER_BATCH) {
            throw new ProtocolException("RAM batch of " + count + " pages");
        }
        int length = count * (4 + GuestMemory.PAGE_SIZE);
        in.readFully(batch, 0, length);
        verify(in, length, "RAM batch");
        GuestMemory memory = replica.machine().memory();
        int ramPages = (int) (memory.ramSize() >>> GuestMemory.PAGE_SHIFT);
        for (int i = 0, at = 0; i < count; i++, at += 4 + GuestMemory.PAGE_SIZE) {
            int page = getInt(at);
            if (page < 0 || page >= ramPages) {
                throw new ProtocolException("RAM batch page " + page + " is outside RAM");
            }
        }
        for (int i = 0, at = 0; i < count; i++, at += 4 + GuestMemory.PAGE_SIZE) {
            int page = getInt(at);
            memory.ram().putBytes(page << GuestMemory.PAGE_SHIFT, batch, at + 4, GuestMemory.PAGE_SIZE);
            memory.dirtyLog().markPage(page);
        }
        pagesReceived += count;
    }

    /** Reads and applies the body of a {@link ColoMessage#DISK_BATCH}. */
    public void receiveSectors(DataInputStream in) throws IOException {
        int disk = in.readInt();
        long first = in.readLong();
        int count = in.readInt();
        if (disk < 0 || disk >= replica.disks().size()) {
            throw new ProtocolException("disk batch for disk " + disk + ", this machine has " + replica.disks().size());
        }
        if (count < 0 || count > PrecopySender.SECTORS_PER_BATCH) {
            throw new ProtocolException("disk batch of " + count + " sectors");
        }
        int length = count * DiskImage.SECTOR_SIZE;
        in.readFully(batch, 0, length);
        verify(in, length, "disk batch");
        DiskImage image = replica.disks().get(disk);
        if (first < 0 || first + count > image.sectorCount()) {
            throw new ProtocolException("disk batch sectors " + first + "+" + count + " are outside disk " + disk);
        }
        image.write(first, ByteBuffer.wrap(batch, 0, length));
        sectorsReceived += count;
    }

    private void verify(DataInputStream in, int length, String what) throws IOException {
        crc.reset();
        crc.update(batch, 0, length);
        if (in.readInt() != (int) crc.getValue()) {
            throw new ProtocolException(what + " failed its CRC32C check");
        }
    }

    private int getInt(int at) {
        return (batch[at] & 0xFF) << 24 | (batch[at + 1] & 0xFF) << 16 | (batch[at + 2] & 0xFF) << 8 | (batch[at + 3] & 0xFF);
    }
}
