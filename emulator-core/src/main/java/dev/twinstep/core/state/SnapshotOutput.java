package dev.twinstep.core.state;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;

/**
 * The {@link StateWriter} of a whole snapshot stream: values go into one small chunk, which is added
 * to the stream's CRC32C and handed to the output stream whenever it fills. Nothing grows with the
 * stream, and the output sees writes of one chunk at most (a file channel copies each write into a
 * temporary direct buffer as large as the write, and keeps that buffer).
 *
 * <p>{@link StateWriter} methods cannot throw {@link IOException}: a failing output stream surfaces
 * as an {@link UncheckedIOException}, which {@link Snapshot#write} turns back into its cause.
 */
final class SnapshotOutput implements StateWriter {
    /** The largest write the output stream sees. */
    static final int CHUNK = 1 << 16;

    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final byte[] chunk = new byte[CHUNK];
    private int used;
    private long drained;

    SnapshotOutput(OutputStream out) {
        this.out = out;
    }

    /** Bytes written so far, the CRC excluded. */
    long count() {
        return drained + used;
    }

    private void room(int bytes) {
        if (CHUNK - used < bytes) {
            drain();
        }
    }

    private void drain() {
        crc.update(chunk, 0, used);
        try {
            out.write(chunk, 0, used);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        drained += used;
        used = 0;
    }

    /** Writes the CRC32C of everything written so far and flushes the output stream. */
    void finish() throws IOException {
        drain();
        int sum = (int) crc.getValue();
        chunk[0] = (byte) (sum >>> 24);
        chunk[1] = (byte) (sum >>> 16);
        chunk[2] = (byte) (sum >>> 8);
        chunk[3] = (byte) sum;
        out.write(chunk, 0, 4);
        out.flush();
    }

    @Override
    public void putBoolean(boolean value) {
        putByte(value ? 1 : 0);
    }

    @Override
    public void putByte(int value) {
        room(1);
        chunk[used++] = (byte) value;
    }

    @Override
    public void putInt(int value) {
        room(4);
        chunk[used] = (byte) (value >>> 24);
        chunk[used + 1] = (byte) (value >>> 16);
        chunk[used + 2] = (byte) (value >>> 8);
        chunk[used + 3] = (byte) value;
        used += 4;
    }

    @Override
    public void putLong(long value) {
        putInt((int) (value >>> 32));
        putInt((int) value);
    }

    @Override
    public void putBytes(byte[] value, int offset, int length) {
        putInt(length);
        putRaw(value, offset, length);
    }

    /** Writes {@code length} bytes of {@code from} without a length prefix. */
    void putRaw(byte[] from, int offset, int length) {
        while (length > 0) {
            if (used == CHUNK) {
                drain();
            }
            int step = Math.min(length, CHUNK - used);
            System.arraycopy(from, offset, chunk, used, step);
            used += step;
            offset += step;
            length -= step;
        }
    }

    /** Writes {@code length} bytes of {@code from} at {@code index} without a length prefix: RAM pages, copied once. */
    void putRaw(DirectBuffer from, int index, int length) {
        while (length > 0) {
            if (used == CHUNK) {
                drain();
            }
            int step = Math.min(length, CHUNK - used);
            from.getBytes(index, chunk, used, step);
            used += step;
            index += step;
            length -= step;
        }
    }
}
