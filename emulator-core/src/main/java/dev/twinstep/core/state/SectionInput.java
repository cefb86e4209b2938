package dev.twinstep.core.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.agrona.MutableDirectBuffer;

/**
 * A {@link StateReader} over one range of a snapshot stream: a section's payload, or, while a stream
 * is being verified, its whole body. It reads the stream a window at a time from its
 * {@link SnapshotSource}, so the range may be larger than any array; when given a CRC32C it adds
 * every byte it passes (read or skipped) to it.
 */
public final class SectionInput implements StateReader {
    private final SnapshotSource source;
    private final CRC32C crc;
    private String name;
    private long end;
    private ByteBuffer scratch;
    private ByteBuffer window;
    /** The stream position of index 0 of {@link #window}. */
    private long windowBase;
    private int index;
    private int limit;
    private int checksummedTo;

    /** Reads {@code data[offset, offset+length)}; {@code name} is only for error messages. */
    public SectionInput(String name, byte[] data, int offset, int length) {
        this(name, SnapshotSource.of(data), offset, length, null);
    }

    /** Reads {@code length} bytes of {@code source} from {@code offset}, adding them to {@code crc} unless it is null. */
    SectionInput(String name, SnapshotSource source, long offset, long length, CRC32C crc) {
        this.name = name;
        this.source = source;
        this.crc = crc;
        this.windowBase = offset;
        this.end = offset + length;
    }

    /** The stream position of the next byte. */
    long position() {
        return windowBase + index;
    }

    /** Bytes left in the range, as a long. */
    long remainingBytes() {
        return end - position();
    }

    /**
     * Narrows the range to the next {@code length} bytes, named {@code sectionName} in messages;
     * returns the range end to give back to {@link #widen}.
     */
    long narrow(String sectionName, long length) {
        need(length);
        long outerEnd = end;
        name = sectionName;
        end = position() + length;
        return outerEnd;
    }

    /** Restores the range end that {@link #narrow} returned. */
    void widen(String outerName, long outerEnd) {
        name = outerName;
        end = outerEnd;
    }

    private void need(long count) {
        if (count < 0 || count > end - position()) {
            throw new StateFormatException("section '" + name + "' is shorter than its contents claim");
        }
    }

    /** Moves to the window holding the next byte; the caller has checked that the range holds it. */
    private void nextWindow() {
        checksumConsumed();
        long position = position();
        scratch = source.scratchFor(end - position, scratch);
        try {
            window = source.window(position, scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = window.position();
        windowBase = position - start;
        index = start;
        limit = (int) Math.min(window.limit(), start + (end - position));
        checksummedTo = start;
    }

    /** Adds the bytes passed in the current window to the CRC; done once per window, not per value. */
    void checksumConsumed() {
        if (crc != null && window != null && index > checksummedTo) {
            int windowLimit = window.limit();
            window.position(checksummedTo);
            window.limit(index);
            crc.update(window);
            window.limit(windowLimit);
            checksummedTo = index;
        }
    }

    @Override
    public boolean getBoolean() {
        return getByte() != 0;
    }

    @Override
    public int getByte() {
        need(1);
        if (index == limit) {
            nextWindow();
        }
        return window.get(index++) & 0xFF;
    }

    @Override
    public int getInt() {
        need(4);
        if (limit - index >= 4) {
            int value = window.getInt(index);
            index += 4;
            return value;
        }
        return getByte() << 24 | getByte() << 16 | getByte() << 8 | getByte();
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
        readFully(value, 0, count);
        return value;
    }

    /** Copies a length-prefixed byte array of exactly {@code into.length} bytes into {@code into}. */
    public void getBytesInto(byte[] into) {
        int count = getInt();
        if (count != into.length) {
            throw new StateFormatException("section '" + name + "': expected " + into.length + " bytes, found " + count);
        }
        need(count);
        readFully(into, 0, count);
    }

    /** Copies the next {@code count} bytes (no length prefix) into {@code into} from {@code offset}. */
    void readFully(byte[] into, int offset, int count) {
        need(count);
        while (count > 0) {
            if (index == limit) {
                nextWindow();
            }
            int step = Math.min(count, limit - index);
            window.get(index, into, offset, step);
            index += step;
            offset += step;
            count -= step;
        }
    }

    /**
     * Copies the next {@code count} bytes (no length prefix) straight into {@code into} at
     * {@code intoIndex}: RAM pages go from the stream's window to guest memory in one copy.
     */
    void copyTo(MutableDirectBuffer into, int intoIndex, int count) {
        need(count);
        while (count > 0) {
            if (index == limit) {
                nextWindow();
            }
            int step = Math.min(count, limit - index);
            into.putBytes(intoIndex, window, index, step);
            index += step;
            intoIndex += step;
            count -= step;
        }
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

    /** Moves past {@code count} bytes (still adding them to the CRC, if any). */
    public void skipBytes(long count) {
        need(count);
        if (crc == null && count > limit - index) {
            long target = position() + count;
            window = null;
            windowBase = target;
            index = 0;
            limit = 0;
            return;
        }
        while (count > 0) {
            if (index == limit) {
                nextWindow();
            }
            int step = (int) Math.min(count, limit - index);
            index += step;
            count -= step;
        }
    }

    @Override
    public int remaining() {
        return (int) Math.min(Integer.MAX_VALUE, remainingBytes());
    }
}
