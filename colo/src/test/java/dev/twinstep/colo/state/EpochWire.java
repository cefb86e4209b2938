package dev.twinstep.colo.state;

import dev.twinstep.colo.wire.Background;
import dev.twinstep.colo.wire.ChannelPair;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.storage.DiskImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;

/**
 * Epochs as bytes on the wire, for tests that damage or forge them: what {@link EpochCapture#send}
 * really puts on a socket, and epochs built field by field (with a correct CRC32C) that no capture
 * would produce.
 */
public final class EpochWire {
    private EpochWire() {
    }

    /** The bytes {@code capture} sends for its staged epoch, from VMSTATE_SEND to the CRC, read off a real socket. */
    public static byte[] sentBytes(EpochCapture capture) throws IOException, InterruptedException, ExecutionException,
            TimeoutException {
        try (ChannelPair pair = ChannelPair.open()) {
            CompletableFuture<Void> sending = Background.run("send", () -> capture.send(pair.source, false));
            byte[] bytes = new byte[Math.toIntExact(capture.wireBytes())];
            pair.target.in().readFully(bytes);
            sending.get(10, TimeUnit.SECONDS);
            return bytes;
        }
    }

    /** {@code bytes} with bit {@code bit} of byte {@code offset} inverted. */
    public static byte[] withBitFlipped(byte[] bytes, int offset, int bit) {
        byte[] copy = bytes.clone();
        copy[offset] ^= (byte) (1 << bit);
        return copy;
    }

    /** The first {@code length} bytes. */
    public static byte[] truncated(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    /** Builds an epoch field by field; the CRC32C is computed over what was built, so only the content can be wrong. */
    public static final class Builder {
        private final ByteArrayOutputStream pageRecords = new ByteArrayOutputStream();
        private final DataOutputStream pages = new DataOutputStream(pageRecords);
        private int pageCount;
        private byte[] deviceState = new byte[0];
        private long[][] sectorsPerDisk = new long[0][];

        /** Adds a page record: number and 4096 bytes of {@code fill}. */
        public Builder page(int number, byte fill) throws IOException {
            pages.writeInt(number);
            byte[] contents = new byte[GuestMemory.PAGE_SIZE];
            Arrays.fill(contents, fill);
            pages.write(contents);
            pageCount++;
            return this;
        }

        /** The device-state stream (as {@link dev.twinstep.core.machine.Machine#saveDeviceState} writes it). */
        public Builder deviceState(byte[] stream) {
            deviceState = stream.clone();
            return this;
        }

        /** Sector numbers per disk (one array per disk, in drive order); each sector is filled with its low byte. */
        public Builder sectors(long[]... perDisk) {
            sectorsPerDisk = perDisk;
            return this;
        }

        /** The epoch's bytes, from VMSTATE_SEND to the CRC. */
        public byte[] build() throws IOException {
            ByteArrayOutputStream stateBlock = new ByteArrayOutputStream();
            DataOutputStream state = new DataOutputStream(stateBlock);
            state.writeInt(deviceState.length);
            state.write(deviceState);
            state.writeInt(sectorsPerDisk.length);
            for (long[] sectors : sectorsPerDisk) {
                state.writeInt(sectors.length);
                for (long sector : sectors) {
                    state.writeLong(sector);
                    byte[] contents = new byte[DiskImage.SECTOR_SIZE];
                    Arrays.fill(contents, (byte) sector);
                    state.write(contents);
                }
            }
            byte[] pageBytes = pageRecords.toByteArray();
            byte[] stateBytes = stateBlock.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(pageBytes);
            crc.update(stateBytes);
            ByteArrayOutputStream epochBytes = new ByteArrayOutputStream();
            DataOutputStream epoch = new DataOutputStream(epochBytes);
            epoch.writeInt(ColoMessage.VMSTATE_SEND.code);
            epoch.writeInt(pageCount);
            epoch.write(pageBytes);
            epoch.writeInt(ColoMessage.VMSTATE_SIZE.code);
            epoch.writeLong(stateBytes.length);
            epoch.write(stateBytes);
            epoch.writeInt((int) crc.getValue());
            return epochBytes.toByteArray();
        }
    }
}
