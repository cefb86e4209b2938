package dev.twinstep.colo.state;

import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ProtocolException;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.devices.storage.DiskImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The replica's side of one epoch: {@link #receive} reads the whole epoch written by
 * {@link EpochCapture#send} into off-heap staging memory and verifies its CRC32C; {@link #validate}
 * checks every page number, sector number and the device state against this machine; only then
 * {@link #apply} writes it into the machine (the Twinstep counterpart of QEMU's COLO RAM cache: a
 * partial or corrupt epoch never touches the machine). Reused from epoch to epoch.
 */
public final class EpochStage {
    /** The largest state block accepted: device state is kilobytes, sectors a few MiB per epoch. */
    private static final long MAX_STATE_BYTES = 1L << 30;
    /** Heap chunk for streams other than a replication channel's (recorded epochs, tests). */
    private static final int CHUNK = 1 << 16;

    private final ReplicatedMachine replica;
    private final DiskSyncer syncer;
    private final StagingBuffer pages = new StagingBuffer(1 << 20);
    private final StagingBuffer state = new StagingBuffer(1 << 16);
    private final ByteBuffer sector = ByteBuffer.allocateDirect(DiskImage.SECTOR_SIZE);
    private byte[] chunk;
    private final CRC32C crc = new CRC32C();
    private int pageCount;
    private int stateBytes;
    private byte[] deviceState;
    private boolean verified;

    /** Staging for {@code replica}. */
    public EpochStage(ReplicatedMachine replica) {
        this.replica = replica;
        this.syncer = new DiskSyncer(replica.disks());
    }

    /**
     * Reads one epoch, from the page count that follows {@link ColoMessage#VMSTATE_SEND} to the CRC.
     * From a replication channel's stream ({@link ReplicationChannel.Input}) the bulk bytes go from
     * the socket straight into off-heap staging.
     *
     * @throws ProtocolException when a length is impossible or the CRC32C does not match (the
     *     staged epoch is then discarded)
     * @throws IOException when the connection fails (likewise)
     */
    public void receive(DataInputStream in) throws IOException {
        verified = false;
        deviceState = null; // whatever was validated before is being overwritten now
        crc.reset();
        pageCount = in.readInt();
        int ramPages = (int) (replica.machine().memory().ramSize() >>> GuestMemory.PAGE_SHIFT);
        if (pageCount < 0 || pageCount > ramPages) {
            throw new ProtocolException("epoch has " + pageCount + " pages, RAM has " + ramPages);
        }
        int pageBytes = pageCount * EpochCapture.PAGE_RECORD;
        fill(in, pages, pageBytes);
        int code = in.readInt();
        if (code != ColoMessage.VMSTATE_SIZE.code) {
            throw new ProtocolException("expected VMSTATE_SIZE after the pages, got code " + code);
        }
        long length = in.readLong();
        if (length < 8 || length > MAX_STATE_BYTES) {
            throw new ProtocolException("epoch state block of " + length + " bytes");
        }
        stateBytes = (int) length;
        fill(in, state, stateBytes);
        int sum = in.readInt();
        if (sum != (int) crc.getValue()) {
            throw new ProtocolException("epoch failed its CRC32C check: refused, nothing applied");
        }
        verified = true;
    }

    /**
     * Stages {@code length} bytes and adds them to the checksum. The staging grows as the bytes
     * arrive rather than to the announced length at once, so a corrupt length in a truncated
     * stream costs no more memory than the bytes that really came.
     */
    private void fill(DataInputStream in, StagingBuffer into, int length) throws IOException {
        if (in instanceof ReplicationChannel.Input channelIn) {
            for (int at = 0; at < length; at += EpochCapture.PIECE) {
                int n = Math.min(EpochCapture.PIECE, length - at);
                into.ensure(at + n);
                ByteBuffer piece = into.region(at, n);
                channelIn.readFully(piece);
                piece.position(at);
                crc.update(piece);
            }
            return;
        }
        if (chunk == null) {
            chunk = new byte[CHUNK];
        }
        for (int at = 0; at < length; at += CHUNK) {
            int n = Math.min(CHUNK, length - at);
            in.readFully(chunk, 0, n);
            crc.update(chunk, 0, n);
            into.ensure(at + n);
            into.put(at, chunk, 0, n);
        }
    }

    /** Pages in the staged epoch. */
    public int pageCount() {
        return pageCount;
    }

    /**
     * Checks the staged epoch against this machine without changing it: page numbers inside RAM,
     * disk count and sector numbers inside each disk, device state that would load.
     *
     * @throws StateFormatException naming the first thing that does not fit
     */
    public void validate() {
        if (!verified) {
            throw new IllegalStateException("no verified epoch is staged");
        }
        deviceState = null; // set again only once every check below has passed
        int ramPages = (int) (replica.machine().memory().ramSize() >>> GuestMemory.PAGE_SHIFT);
        for (int i = 0, at = 0; i < pageCount; i++, at += EpochCapture.PAGE_RECORD) {
            int page = pages.getInt(at);
            if (page < 0 || page >= ramPages) {
                throw new StateFormatException("epoch page " + page + " is outside RAM");
            }
        }
        int at = 0;
        int deviceLength = state.getInt(at);
        if (deviceLength < 0 || deviceLength > stateBytes - 8) {
            throw new StateFormatException("epoch device state of " + deviceLength + " bytes");
        }
        byte[] candidate = new byte[deviceLength];
        state.get(4, candidate, 0, deviceLength);
        at += 4 + deviceLength;
        int disks = state.getInt(at);
        at += 4;
        if (disks != replica.disks().size()) {
            throw new StateFormatException("epoch has " + disks + " disks, this machine " + replica.disks().size());
        }
        for (int d = 0; d < disks; d++) {
            if (at + 4 > stateBytes) {
                throw new StateFormatException("epoch disk list is truncated");
            }
            int count = state.getInt(at);
            at += 4;
            if (count < 0 || (long) count * EpochCapture.SECTOR_RECORD > stateBytes - at) {
                throw new StateFormatException("epoch disk " + d + " has a bad sector count " + count);
            }
            long sectors = replica.disks().get(d).sectorCount();
            for (int s = 0; s < count; s++, at += EpochCapture.SECTOR_RECORD) {
                long number = state.getLong(at);
                if (number < 0 || number >= sectors) {
                    throw new StateFormatException("epoch sector " + number + " is outside disk " + d);
                }
            }
        }
        if (at != stateBytes) {
            throw new StateFormatException("epoch state block has " + (stateBytes - at) + " stray bytes");
        }
        replica.machine().checkDeviceState(candidate);
        deviceState = candidate;
    }

    /**
     * Writes the validated epoch into the machine: pages, disk sectors, then device state. The machine
     * must not be running.
     *
     * @throws IOException when a disk image cannot be written
     */
    public void apply() throws IOException {
        if (deviceState == null) {
            throw new IllegalStateException("validate the epoch before applying it");
        }
        long ram = EpochCapture.ramAddress(replica.machine().memory().ram());
        DirtyLog log = replica.machine().memory().dirtyLog();
        for (int i = 0, at = 0; i < pageCount; i++, at += EpochCapture.PAGE_RECORD) {
            int page = pages.getInt(at);
            pages.copyToAddress(at + 4, ram + ((long) page << GuestMemory.PAGE_SHIFT), GuestMemory.PAGE_SIZE);
            log.markPage(page); // decoded code of the page is stale now
        }
        int at = 4 + deviceState.length;
        boolean wroteSectors = false;
        int disks = state.getInt(at);
        at += 4;
        for (int d = 0; d < disks; d++) {
            DiskImage disk = replica.disks().get(d);
            int count = state.getInt(at);
            at += 4;
            for (int s = 0; s < count; s++, at += EpochCapture.SECTOR_RECORD) {
                long number = state.getLong(at);
                state.get(at + 8, sector, DiskImage.SECTOR_SIZE);
                sector.clear();
                disk.write(number, sector);
            }
            wroteSectors |= count > 0;
        }
        if (wroteSectors) {
            syncer.request();
        }
        replica.machine().loadDeviceState(deviceState);
        deviceState = null;
        verified = false;
    }
}
