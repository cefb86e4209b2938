package dev.twinstep.core.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the bytes of a snapshot stream are read from, by absolute position, a window at a time:
 * a byte array, an input stream staged in chunks, or a file read in place. Readers
 * ({@link SectionInput}) ask for the window holding a position and then read it with absolute
 * indexes, so a stream of any length (beyond 2 GiB) is read without one array as large as itself.
 */
abstract class SnapshotSource {
    /** Files are read through windows of this size; a RAM section streams through one of them. */
    static final int FILE_WINDOW = 1 << 20;
    /** Sections up to this size are read from a file through a heap buffer of their own size. */
    private static final int SMALL_RANGE = 1 << 16;
    /**
     * An input stream is staged in chunks of this size: small enough that the garbage collector does
     * not treat them as humongous objects, large enough that there are few of them.
     */
    static final int STAGING_CHUNK_SHIFT = 18;

    /** The stream length in bytes. */
    abstract long size();

    /**
     * A buffer holding the stream's bytes from {@code position} on, between its position and limit
     * (at least one byte when {@code position < size()}). The caller owns the returned buffer's
     * position and limit until it asks again.
     *
     * @param scratch the caller's buffer from {@link #scratchFor}, filled by sources that must copy
     */
    abstract ByteBuffer window(long position, ByteBuffer scratch) throws IOException;

    /** A buffer for {@link #window} calls over a range of {@code length} bytes; null when none is needed. */
    ByteBuffer scratchFor(long length) {
        return null;
    }

    /** The whole of {@code stream}. */
    static SnapshotSource of(byte[] stream) {
        return new ArraySource(stream);
    }

    /** Reads all of {@code in} into chunks (the stream can be read only once, so it is staged whole). */
    static SnapshotSource staged(InputStream in) throws IOException {
        return ChunkedSource.readAll(in);
    }

    /** The bytes of {@code channel} from {@code start} to the end of the file, read in place when asked for. */
    static SnapshotSource of(FileChannel channel, long start) throws IOException {
        return new FileSource(channel, start, channel.size() - start);
    }

    private static final class ArraySource extends SnapshotSource {
        private final byte[] stream;

        ArraySource(byte[] stream) {
            this.stream = stream;
        }

        @Override
        long size() {
            return stream.length;
        }

        @Override
        ByteBuffer window(long position, ByteBuffer scratch) {
            return ByteBuffer.wrap(stream, (int) position, stream.length - (int) position);
        }
    }

    private static final class ChunkedSource extends SnapshotSource {
        private static final int CHUNK = 1 << STAGING_CHUNK_SHIFT;
        private final List<byte[]> chunks;
        private final long size;

        private ChunkedSource(List<byte[]> chunks, long size) {
            this.chunks = chunks;
            this.size = size;
        }

        static ChunkedSource readAll(InputStream in) throws IOException {
            List<byte[]> chunks = new ArrayList<>();
            long size = 0;
            while (true) {
                byte[] chunk = new byte[CHUNK];
                int filled = in.readNBytes(chunk, 0, CHUNK);
                if (filled > 0) {
                    chunks.add(chunk);
                    size += filled;
                }
                if (filled < CHUNK) {
                    return new ChunkedSource(chunks, size);
                }
            }
        }

        @Override
        long size() {
            return size;
        }

        @Override
        ByteBuffer window(long position, ByteBuffer scratch) {
            int chunkIndex = (int) (position >>> STAGING_CHUNK_SHIFT);
            int offset = (int) (position & (CHUNK - 1));
            long chunkStart = (long) chunkIndex << STAGING_CHUNK_SHIFT;
            int filled = (int) Math.min(CHUNK, size - chunkStart);
            return ByteBuffer.wrap(chunks.get(chunkIndex), offset, filled - offset);
        }
    }

    private static final class FileSource extends SnapshotSource {
        private final FileChannel channel;
        private final long start;
        private final long size;

        FileSource(FileChannel channel, long start, long size) {
            this.channel = channel;
            this.start = start;
            this.size = size;
        }

        @Override
        long size() {
            return size;
        }

        @Override
        ByteBuffer scratchFor(long length) {
            // A direct window spares the JDK's copy through its own temporary direct buffer.
            return length <= SMALL_RANGE ? ByteBuffer.allocate((int) Math.max(length, 8))
                    : ByteBuffer.allocateDirect(FILE_WINDOW);
        }

        @Override
        ByteBuffer window(long position, ByteBuffer scratch) throws IOException {
            scratch.clear();
            scratch.limit((int) Math.min(scratch.capacity(), size - position));
            while (scratch.hasRemaining()) {
                if (channel.read(scratch, start + position + scratch.position()) < 0) {
                    throw new StateFormatException("snapshot file became shorter while it was being read");
                }
            }
            return scratch.flip();
        }
    }
}
