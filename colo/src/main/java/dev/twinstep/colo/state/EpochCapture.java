package dev.twinstep.colo.state;

import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.storage.DiskImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The primary's side of one epoch: while the machine is paused, {@link #capture} takes the pages and
 * sectors written since the previous epoch (the {@code REPLICATION} dirty logs) and copies them, with
 * the device state, into off-heap staging memory ({@link StagingBuffer}, Chronicle Bytes); the machine may then run on while
 * {@link #send} streams the staged epoch, from staging straight to the socket
 * ({@link ReplicationChannel#writeDirect}: no copy through the heap). Reused from epoch to epoch:
 * after warm-up nothing is allocated but the device-state bytes.
 *
 * <p>Wire form, after {@link ColoMessage#VMSTATE_SEND}: int page count, then per page an int page
 * number and 4096 bytes; then {@link ColoMessage#VMSTATE_SIZE}, a long length and the state block (int
 * length + device-state stream in the snapshot format, int disk count, per disk an int sector count
 * and per sector a long sector number and 512 bytes); last an int CRC32C of the page records and the
 * state block. All big-endian.
 */
public final class EpochCapture {
    /** Bytes of one page record: number and contents. */
    public static final int PAGE_RECORD = 4 + GuestMemory.PAGE_SIZE;
    /** Bytes of one sector record: number and contents. */
    public static final int SECTOR_RECORD = 8 + DiskImage.SECTOR_SIZE;
    /**
     * Bytes checksummed and then written at a time: small enough that the socket copies them while
     * the checksum has just left them in the cache.
     */
    static final int PIECE = 1 << 18;

    private final ReplicatedMachine replica;
    private final long[] pageBits;
    private final long[][] sectorBits;
    private final StagingBuffer pages = new StagingBuffer(1 << 20);
    private final StagingBuffer state = new StagingBuffer(1 << 16);
    private final ByteBuffer sector = ByteBuffer.allocateDirect(DiskImage.SECTOR_SIZE);
    private final StateBytes deviceState = new StateBytes();
    private final CRC32C crc = new CRC32C();
    private int pageCount;
    private int pageBytes;
    private int stateBytes;
    private int sectorCount;

    /** Staging for {@code replica}; sized on first use. */
    public EpochCapture(ReplicatedMachine replica) {
        this.replica = replica;
        DirtyLog log = replica.machine().memory().dirtyLog();
        this.pageBits = new long[log.wordCount()];
        this.sectorBits = new long[replica.disks().size()][];
        for (int i = 0; i < sectorBits.length; i++) {
            sectorBits[i] = new long[replica.disks().get(i).dirtyLog().wordCount()];
        }
    }

    /**
     * Forgets everything dirty so far: the replica is about to receive a full copy. Machine paused.
     */
    public void discardDirty() {
        replica.machine().memory().dirtyLog().takeAndClear(DirtyLog.Client.REPLICATION, pageBits);
        for (int i = 0; i < sectorBits.length; i++) {
            replica.disks().get(i).dirtyLog().takeAndClear(sectorBits[i]);
        }
    }

    /**
     * Stages the epoch: dirty pages, dirty sectors and the device state. Machine paused (or not
     * running); the caller resumes it afterwards.
     *
     * @throws IOException when a disk image cannot be read or the device state cannot be written
     */
    public void capture() throws IOException {
        Machine machine = replica.machine();
        long ram = ramAddress(machine.memory().ram());
        pageCount = machine.memory().dirtyLog().takeAndClear(DirtyLog.Client.REPLICATION, pageBits);
        pages.ensure((long) pageCount * PAGE_RECORD);
        int position = 0;
        for (int word = 0; word < pageBits.length; word++) {
            long bits = pageBits[word];
            while (bits != 0) {
                int page = (word << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                pages.putInt(position, page);
                pages.copyFromAddress(position + 4, ram + ((long) page << GuestMemory.PAGE_SHIFT), GuestMemory.PAGE_SIZE);
                position += PAGE_RECORD;
            }
        }
        pageBytes = position;

        deviceState.reset();
        machine.saveDeviceState(deviceState);
        int at = 0;
        state.ensure(8L + deviceState.size());
        state.putInt(at, deviceState.size());
        state.put(at + 4, deviceState.array(), 0, deviceState.size());
        at += 4 + deviceState.size();
        state.putInt(at, sectorBits.length);
        at += 4;
        sectorCount = 0;
        for (int i = 0; i < sectorBits.length; i++) {
            DiskImage disk = replica.disks().get(i);
            int count = disk.dirtyLog().takeAndClear(sectorBits[i]);
            sectorCount += count;
            state.ensure(at + 4L + (long) count * SECTOR_RECORD);
            state.putInt(at, count);
            at += 4;
            long[] bitsOfDisk = sectorBits[i];
            for (int word = 0; word < bitsOfDisk.length; word++) {
                long bits = bitsOfDisk[word];
                while (bits != 0) {
                    long number = ((long) word << 6) + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    sector.clear();
                    disk.read(number, sector);
                    state.putLong(at, number);
                    state.put(at + 8, sector, DiskImage.SECTOR_SIZE);
                    at += SECTOR_RECORD;
                }
            }
        }
        stateBytes = at;
    }

    /** The native address of guest RAM, which is off-heap by design. */
    static long ramAddress(UnsafeBuffer ram) {
        if (ram.byteArray() != null) {
            throw new IllegalStateException("guest RAM is expected off-heap");
        }
        return ram.addressOffset();
    }

    /** Pages in the staged epoch. */
    public int pageCount() {
        return pageCount;
    }

    /** Disk sectors in the staged epoch. */
    public int sectorCount() {
        return sectorCount;
    }

    /** Bytes the staged epoch puts on the wire. */
    public long wireBytes() {
        return 4L + 4 + pageBytes + 4 + 8 + stateBytes + 4;
    }

    /**
     * Streams the staged epoch (from {@link ColoMessage#VMSTATE_SEND} to the CRC) as one message.
     *
     * @param corruptForTest when true, one bit of the checksum is flipped (fault-injection tests only)
     */
    public void send(ReplicationChannel channel, boolean corruptForTest) throws IOException {
        channel.write(out -> {
            crc.reset();
            out.writeInt(ColoMessage.VMSTATE_SEND.code);
            out.writeInt(pageCount);
            sendRegion(channel, pages, pageBytes);
            out.writeInt(ColoMessage.VMSTATE_SIZE.code);
            out.writeLong(stateBytes);
            sendRegion(channel, state, stateBytes);
            int sum = (int) crc.getValue();
            out.writeInt(corruptForTest ? sum ^ 1 : sum);
        });
    }

    /**
     * Fault injection for tests: puts only the first half of the staged epoch on the wire, as a
     * primary that dies in the middle of a transfer would.
     */
    public void sendFirstHalf(ReplicationChannel channel) throws IOException {
        channel.write(out -> {
            crc.reset();
            out.writeInt(ColoMessage.VMSTATE_SEND.code);
            out.writeInt(pageCount);
            sendRegion(channel, pages, pageBytes / 2);
        });
    }

    /** Inside a write action: bytes [0, length) of {@code from}, added to the checksum. */
    private void sendRegion(ReplicationChannel channel, StagingBuffer from, int length) throws IOException {
        for (int at = 0; at < length; at += PIECE) {
            int n = Math.min(PIECE, length - at);
            ByteBuffer piece = from.region(at, n);
            crc.update(piece);
            piece.position(at);
            channel.writeDirect(piece);
        }
    }
}
