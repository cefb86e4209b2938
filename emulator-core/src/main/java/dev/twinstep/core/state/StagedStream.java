package dev.twinstep.core.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * An input stream read whole into memory, in chunks that double from 64 KiB to 16 MiB: a small
 * stream (device state) takes little, a large one (RAM) few chunks, and no array is as large as the
 * stream. The large chunks are "humongous" objects to the G1 collector, which it allocates outside
 * the young generation and never copies; a stream staged in many small young chunks was copied by
 * each young collection while it was read. The stream is added to the CRC32C as it is read.
 */
final class StagedStream extends SnapshotSource {
    private static final int FIRST_CHUNK = 1 << 16;
    private static final int LARGEST_CHUNK = 1 << 24;
    /** A byte array's object header: a chunk of 2^n - 16 bytes fills whole heap regions. */
    private static final int ARRAY_HEADER = 16;
    private static final int TRAILER = 4;
    /** How much is read before it is added to the CRC: well within a level-2 cache. */
    private static final int CACHED_PIECE = 1 << 17;

    private byte[][] chunks = new byte[16][];
    /** The stream position of each chunk's first byte. */
    private long[] starts = new long[16];
    private int chunkCount;
    private long size;
    private final CRC32C crc = new CRC32C();
    /** Bytes [0, checksummed) are in {@link #crc}: all but the last four, which may be the trailer. */
    private long checksummed;

    private StagedStream() {
    }

    static StagedStream readAll(InputStream in) throws IOException {
        StagedStream staged = new StagedStream();
        int capacity = FIRST_CHUNK;
        while (staged.fill(in, new byte[capacity - ARRAY_HEADER])) {
            capacity = Math.min(capacity * 2, LARGEST_CHUNK);
        }
        return staged;
    }

    /**
     * Reads into {@code chunk} until it is full (true) or the stream ends (false), a piece at a time,
     * adding each piece to the CRC while it is still in the processor's cache.
     */
    private boolean fill(InputStream in, byte[] chunk) throws IOException {
        if (chunkCount == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunkCount * 2);
            starts = Arrays.copyOf(starts, chunkCount * 2);
        }
        chunks[chunkCount] = chunk;
        starts[chunkCount] = size;
        chunkCount++;
        int filled = 0;
        while (filled < chunk.length) {
            int piece = in.readNBytes(chunk, filled, Math.min(CACHED_PIECE, chunk.length - filled));
            if (piece == 0) {
                if (filled == 0) {
                    chunkCount--;
                }
                return false;
            }
            filled += piece;
            size += piece;
            checksumUpTo(size - TRAILER);
        }
        return true;
    }

    /** Adds [checksummed, end) to the CRC: the last bytes of the previous chunk and the new one. */
    private void checksumUpTo(long end) {
        while (checksummed < end) {
            int chunk = chunkHolding(checksummed);
            int offset = (int) (checksummed - starts[chunk]);
            int step = (int) Math.min(filled(chunk) - offset, end - checksummed);
            crc.update(chunks[chunk], offset, step);
            checksummed += step;
        }
    }

    private int chunkHolding(long position) {
        int found = Arrays.binarySearch(starts, 0, chunkCount, position);
        return found >= 0 ? found : -found - 2;
    }

    private int filled(int chunk) {
        long next = chunk + 1 < chunkCount ? starts[chunk + 1] : size;
        return (int) (next - starts[chunk]);
    }

    @Override
    long size() {
        return size;
    }

    @Override
    long bodyCrc() {
        return size >= TRAILER ? crc.getValue() : -1;
    }

    @Override
    ByteBuffer window(long position, ByteBuffer scratch) {
        int chunk = chunkHolding(position);
        int offset = (int) (position - starts[chunk]);
        return ByteBuffer.wrap(chunks[chunk], offset, filled(chunk) - offset);
    }
}
