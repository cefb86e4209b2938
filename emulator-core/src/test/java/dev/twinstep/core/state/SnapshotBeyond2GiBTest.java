package dev.twinstep.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A section longer than 2 GiB (the RAM of a 2 GiB guest with every page in use) is written and
 * verified without any buffer of its size: the stream is kept as its head and its tail, and the
 * zeros between them are served again when the stream is read.
 */
class SnapshotBeyond2GiBTest {
    private static final long PAYLOAD = (1L << 31) + 12_345;
    private static final long MARKER = 0x0DDBA11CAFEF00DL;
    private static final int KEPT = 4096;

    /** A streamed section of PAYLOAD bytes: zeros, then MARKER in its last eight bytes. */
    private static final class HugeSection implements StreamedSection {
        long markerRead;

        @Override
        public long preparePayload() {
            return PAYLOAD;
        }

        @Override
        public String sectionName() {
            return "huge";
        }

        @Override
        public int sectionVersion() {
            return 1;
        }

        @Override
        public void save(StateWriter out) {
            SnapshotOutput stream = (SnapshotOutput) out;
            byte[] zeros = new byte[1 << 20];
            long left = PAYLOAD - 8;
            while (left > 0) {
                int step = (int) Math.min(left, zeros.length);
                stream.putRaw(zeros, 0, step);
                left -= step;
            }
            stream.putLong(MARKER);
        }

        @Override
        public void load(StateReader in, int version) {
            SectionInput section = (SectionInput) in;
            section.skipBytes(PAYLOAD - 8);
            markerRead = section.getLong();
        }
    }

    /** Keeps the first and the last {@link #KEPT} bytes written and counts the rest. */
    private static final class HeadAndTail extends OutputStream {
        final byte[] head = new byte[KEPT];
        final byte[] tail = new byte[KEPT];
        long count;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            for (int i = 0; i < length && count + i < KEPT; i++) {
                head[(int) (count + i)] = bytes[offset + i];
            }
            int keep = Math.min(length, KEPT);
            System.arraycopy(tail, keep, tail, 0, KEPT - keep);
            System.arraycopy(bytes, offset + length - keep, tail, KEPT - keep, keep);
            count += length;
        }
    }

    /** The stream again: its head, zeros, its tail. */
    private static final class ZerosBetween extends SnapshotSource {
        private final HeadAndTail written;
        private final byte[] zeros = new byte[1 << 20];

        ZerosBetween(HeadAndTail written) {
            this.written = written;
        }

        @Override
        long size() {
            return written.count;
        }

        @Override
        ByteBuffer window(long position, ByteBuffer scratch) {
            long tailStart = written.count - KEPT;
            if (position < KEPT) {
                return ByteBuffer.wrap(written.head, (int) position, KEPT - (int) position);
            }
            if (position >= tailStart) {
                int from = (int) (position - tailStart);
                return ByteBuffer.wrap(written.tail, from, KEPT - from);
            }
            return ByteBuffer.wrap(zeros, 0, (int) Math.min(zeros.length, tailStart - position));
        }
    }

    @Test
    void shouldWriteVerifyAndReadASectionLongerThan2GiB() throws IOException {
        HugeSection huge = new HugeSection();
        HeadAndTail written = new HeadAndTail();

        Snapshot.write(written, "huge machine", List.of(huge));
        Snapshot snapshot = Snapshot.verify(new ZerosBetween(written));
        snapshot.applyTo("huge machine", List.of(huge), Set.of());

        assertTrue(snapshot.sizeBytes() > PAYLOAD);
        assertEquals(PAYLOAD, snapshot.sections().get(0).length());
        assertEquals(MARKER, huge.markerRead);
    }
}
