package dev.twinstep.core.state;

import java.util.Arrays;

/**
 * A {@link StateWriter} that collects one small section's payload (a device's registers) in a
 * growable big-endian byte array, so that its length is known before it is written. Snapshots are
 * taken while the machine is paused, and one buffer serves every section of a snapshot, so growing by
 * copying is acceptable here; RAM does not come through here ({@link StreamedSection}).
 */
public final class SectionOutput implements StateWriter {
    private byte[] buffer = new byte[256];
    private int length;

    /** The bytes written so far (a copy). */
    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, length);
    }

    /** Appends the bytes written so far to a snapshot stream (without a length prefix). */
    void copyTo(SnapshotOutput out) {
        out.putRaw(buffer, 0, length);
    }

    /** How many bytes were written. */
    public int size() {
        return length;
    }

    /** Forgets the bytes written, keeping the buffer. */
    public void clear() {
        length = 0;
    }

    private void ensure(int more) {
        long needed = (long) length + more;
        if (needed > Integer.MAX_VALUE - 16) {
            throw new StateFormatException("section larger than 2 GiB");
        }
        if (needed > buffer.length) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(needed, buffer.length * 2L)));
        }
    }

    @Override
    public void putBoolean(boolean value) {
        putByte(value ? 1 : 0);
    }

    @Override
    public void putByte(int value) {
        ensure(1);
        buffer[length++] = (byte) value;
    }

    @Override
    public void putInt(int value) {
        ensure(4);
        buffer[length++] = (byte) (value >>> 24);
        buffer[length++] = (byte) (value >>> 16);
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    @Override
    public void putLong(long value) {
        putInt((int) (value >>> 32));
        putInt((int) value);
    }

    @Override
    public void putBytes(byte[] value, int offset, int count) {
        putInt(count);
        ensure(count);
        System.arraycopy(value, offset, buffer, length, count);
        length += count;
    }
}
