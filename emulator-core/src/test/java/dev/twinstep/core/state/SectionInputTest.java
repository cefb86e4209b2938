package dev.twinstep.core.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class SectionInputTest {
    /** A byte array served a few bytes at a time, so that every value straddles windows. */
    private static final class TinyWindows extends SnapshotSource {
        private final byte[] bytes;
        private final int windowSize;

        TinyWindows(byte[] bytes, int windowSize) {
            this.bytes = bytes;
            this.windowSize = windowSize;
        }

        @Override
        long size() {
            return bytes.length;
        }

        @Override
        ByteBuffer window(long position, ByteBuffer scratch) {
            int from = (int) position;
            return ByteBuffer.wrap(bytes, from, Math.min(windowSize, bytes.length - from));
        }
    }

    private static byte[] sampleStream() {
        SectionOutput out = new SectionOutput();
        out.putByte(0xAB);
        out.putInt(0x12345678);
        out.putLong(0x0102030405060708L);
        out.putString("straddling");
        out.putInts(new int[] {-1, 7, 0x7FFFFFFF});
        out.putLongs(new long[] {Long.MIN_VALUE, 3});
        out.putBoolean(true);
        return out.toByteArray();
    }

    private static void readSample(SectionInput in) {
        assertEquals(0xAB, in.getByte());
        assertEquals(0x12345678, in.getInt());
        assertEquals(0x0102030405060708L, in.getLong());
        assertEquals("straddling", in.getString());
        assertArrayEquals(new int[] {-1, 7, 0x7FFFFFFF}, in.getInts());
        assertArrayEquals(new long[] {Long.MIN_VALUE, 3}, in.getLongs());
        assertEquals(true, in.getBoolean());
        assertEquals(0, in.remaining());
    }

    @Test
    void shouldReadValuesThatStraddleWindowBoundariesForEveryWindowSize() {
        byte[] stream = sampleStream();
        for (int windowSize = 1; windowSize <= 9; windowSize++) {
            readSample(new SectionInput("sample", new TinyWindows(stream, windowSize), 0, stream.length, null));
        }
    }

    @Test
    void shouldAddEveryByteItReadsOrSkipsToTheCrcExactlyOnce() {
        byte[] stream = new byte[1000];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = (byte) (i * 7 + 3);
        }
        CRC32C expected = new CRC32C();
        expected.update(stream, 0, stream.length);
        CRC32C crc = new CRC32C();
        SectionInput in = new SectionInput("body", new TinyWindows(stream, 13), 0, stream.length, crc);

        in.getInt();
        in.skipBytes(500);
        in.readFully(new byte[100], 0, 100);
        in.getLong();
        in.skipBytes(in.remainingBytes());
        in.checksumConsumed();

        assertEquals(expected.getValue(), crc.getValue());
    }

    @Test
    void shouldCopyBytesAcrossWindowsStraightIntoADirectBuffer() {
        byte[] stream = new byte[10_000];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = (byte) (i ^ (i >>> 8));
        }
        UnsafeBuffer target = new UnsafeBuffer(ByteBuffer.allocateDirect(stream.length + 16));
        SectionInput in = new SectionInput("pages", new TinyWindows(stream, 4095), 0, stream.length, null);

        in.copyTo(target, 16, stream.length);

        byte[] copied = new byte[stream.length];
        target.getBytes(16, copied);
        assertArrayEquals(stream, copied);
    }

    @Test
    void shouldRefuseToReadPastItsRangeEvenWhenTheWindowHoldsMore() {
        byte[] stream = sampleStream();
        SectionInput in = new SectionInput("short", stream, 0, 3);

        StateFormatException e = assertThrows(StateFormatException.class, in::getInt);

        assertEquals("section 'short' is shorter than its contents claim", e.getMessage());
    }

    @Test
    void shouldReadANarrowedRangeAndThenTheRestAfterWidening() {
        byte[] stream = sampleStream();
        SectionInput in = new SectionInput("outer", new TinyWindows(stream, 5), 0, stream.length, null);
        in.getByte();

        long outerEnd = in.narrow("inner", 4);
        assertEquals(0x12345678, in.getInt());
        assertThrows(StateFormatException.class, in::getByte);
        in.widen("outer", outerEnd);

        assertEquals(0x0102030405060708L, in.getLong());
    }

    @Test
    void shouldStageAStreamLongerThanOneChunkServeItByPositionAndKnowTheCrcOfAllButItsTrailer() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < 300_000; i++) {
            bytes.write(i * 31);
        }
        byte[] stream = bytes.toByteArray();
        SnapshotSource staged = SnapshotSource.staged(new ByteArrayInputStream(stream));
        SectionInput in = new SectionInput("staged", staged, 0, stream.length, null);
        byte[] read = new byte[stream.length];

        in.readFully(read, 0, read.length);

        CRC32C body = new CRC32C();
        body.update(stream, 0, stream.length - 4);
        assertEquals(stream.length, staged.size());
        assertArrayEquals(stream, read);
        assertEquals(body.getValue(), staged.bodyCrc());
    }
}
