package dev.twinstep.core.state;

import java.nio.charset.StandardCharsets;

/** A {@link StateReader} over one section's payload, a slice of a verified snapshot stream. */
public final class SectionInput implements StateReader {
    private final String name;
    private final byte[] data;
    private final int end;
    private int position;

    /** Reads {@code data[offset, offset+length)}; {@code name} is only for error messages. */
    public SectionInput(String name, byte[] data, int offset, int length) {
        this.name = name;
        this.data = data;
        this.position = offset;
        this.end = offset + length;
    }

    private void need(long count) {
        if (count < 0 || count > end - position) {
            throw new StateFormatException("section '" + name + "' is shorter than its contents claim");
        }
    }

    @Override
    public boolean getBoolean() {
        return getByte() != 0;
    }

    @Override
    public int getByte() {
        need(1);
        return data[position++] & 0xFF;
    }

    @Override
    public int getInt() {
        need(4);
        int value = (data[position] & 0xFF) << 24 | (data[position + 1] & 0xFF) << 16
                | (data[position + 2] & 0xFF) << 8 | (data[position + 3] & 0xFF);
        position += 4;
        return value;
    }

    @Override
    public long getLong() {
        return ((long) getInt() << 32) | (getInt() & 0xFFFFFFFFL);
    }

    @Override
    public byte[] getBytes() {
        int count = getInt();
        need(count);
        byte[] value = new byte[count];
        System.arraycopy(data, position, value, 0, count);
        position += count;
        return value;
    }

    /** Copies a length-prefixed byte array of exactly {@code into.length} bytes into {@code into}. */
    public void getBytesInto(byte[] into) {
        int count = getInt();
        if (count != into.length) {
            throw new StateFormatException("section '" + name + "': expected " + into.length + " bytes, found " + count);
        }
        need(count);
        System.arraycopy(data, position, into, 0, count);
        position += count;
    }

    @Override
    public int[] getInts() {
        int count = getInt();
        need(count * 4L);
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
            values[i] = getInt();
        }
        return values;
    }

    @Override
    public long[] getLongs() {
        int count = getInt();
        need(count * 8L);
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = getLong();
        }
        return values;
    }

    @Override
    public String getString() {
        return new String(getBytes(), StandardCharsets.UTF_8);
    }

    /** Moves past {@code count} bytes. */
    public void skipBytes(int count) {
        need(count);
        position += count;
    }

    @Override
    public int remaining() {
        return end - position;
    }
}
