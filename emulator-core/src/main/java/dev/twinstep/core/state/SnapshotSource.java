package dev.twinstep.core.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Where the bytes of a snapshot stream are read from, by absolute position, a window at a time:
 * a byte array, an input stream staged in chunks, or a file read in place. Readers
 * ({@link SectionInput}) ask for the window holding a position and then read it with absolute
 * indexes, so a stream of any length (beyond 2 GiB) is read without one array as large as itself.
 */
abstract class SnapshotSource {
    /** Files are read through windows of this size; a RAM section streams through one of them. */
    private static final int FILE_WINDOW = 1 << 20;
    /** A file is first read through a heap buffer of at most this size. */
    private static final int SMALL_RANGE = 1 << 16;

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

    /**
     * The buffer for the next {@link #window} call of a reader that has {@code remaining} bytes left
     * to read and used {@code current} so far (null at first); null when the source needs none.
     */
    ByteBuffer scratchFor(long remaining, ByteBuffer current) {
        return null;
    }

    /**
     * The CRC32C of every byte but the last four, when the source computed it while it took the bytes
     * in (so that a verifying reader need not read them all again); -1 when it did not.
     */
    long bodyCrc() {
        return -1;
    }

    /** The whole of {@code stream}. */
    static SnapshotSource of(byte[] stream) {
        return new ArraySource(stream);
    }

    /** Reads all of {@code in} into memory (the stream can be read only once, so it is staged whole). */
    static SnapshotSource staged(InputStream in) throws IOException {
        return StagedStream.readAll(in);
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

        /**
         * A small heap buffer first, as most readers read a few values (a device section, a RAM
         * section's header); a reader that goes on past it is streaming, and gets a 1 MiB direct
         * buffer, which spares the JDK's copy through a temporary direct buffer of its own.
         */
        @Override
        ByteBuffer scratchFor(long remaining, ByteBuffer current) {
            if (current == null) {
                return ByteBuffer.allocate((int) Math.max(Math.min(remaining, SMALL_RANGE), 8));
            }
            if (!current.isDirect() && remaining > current.capacity()) {
                return ByteBuffer.allocateDirect(FILE_WINDOW);
            }
            return current;
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
