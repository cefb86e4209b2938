package dev.twinstep.colo.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.openhft.chronicle.bytes.Bytes;
import org.agrona.BufferUtil;

/**
 * Elastic off-heap memory for a staged epoch (the primary's staging area, the secondary's cache),
 * on Chronicle Bytes. Random access only; integers are stored big-endian, as they go on the wire, so
 * a staged region is sent or received as is: {@link #region} shows it as a direct {@link ByteBuffer}
 * that a socket channel writes from or reads into without a copy on the heap (Chronicle's
 * ByteBuffer-backed elastic store, whose memory counts against the JVM's direct-memory limit). Grows,
 * never shrinks, and is reused epoch after epoch. The Chronicle type stays inside this class. One
 * thread at a time (the owner hands it over only with a happens-before edge, e.g. a thread start).
 */
final class StagingBuffer implements AutoCloseable {
    /** A direct ByteBuffer's limit; beyond it Chronicle would leave the ByteBuffer-backed store. */
    private static final int MAX_BYTES = Bytes.MAX_HEAP_CAPACITY;
    private static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final Bytes<ByteBuffer> bytes;
    /** The direct buffer {@link #view} duplicates; Chronicle replaces it when it grows. */
    private ByteBuffer viewed;
    /** A view of the whole memory, whose position and limit {@link #region} moves. */
    private ByteBuffer view;

    /** @param initialBytes capacity allocated now */
    StagingBuffer(int initialBytes) {
        bytes = Bytes.elasticByteBuffer(initialBytes);
        // The staging area is filled on the checkpoint thread and may be created elsewhere.
        bytes.singleThreadedCheckDisabled(true);
    }

    /**
     * Makes sure bytes [0, length) exist and may be read back: call it before writing a region.
     * (Chronicle checks random-access reads against the write position, which random-access writes
     * do not move.)
     */
    void ensure(long length) {
        if (length > MAX_BYTES) {
            throw new IllegalArgumentException("a staged region of " + length + " bytes exceeds " + MAX_BYTES);
        }
        if (length > bytes.realCapacity()) {
            bytes.ensureCapacity(Math.min(MAX_BYTES, Math.max(length, bytes.realCapacity() + (bytes.realCapacity() >> 1))));
        }
        if (length > bytes.writePosition()) {
            bytes.writePosition(length);
        }
    }

    void putInt(long at, int value) {
        bytes.writeInt(at, LITTLE_ENDIAN_HOST ? Integer.reverseBytes(value) : value);
    }

    int getInt(long at) {
        int value = bytes.readInt(at);
        return LITTLE_ENDIAN_HOST ? Integer.reverseBytes(value) : value;
    }

    void putLong(long at, long value) {
        bytes.writeLong(at, LITTLE_ENDIAN_HOST ? Long.reverseBytes(value) : value);
    }

    long getLong(long at) {
        long value = bytes.readLong(at);
        return LITTLE_ENDIAN_HOST ? Long.reverseBytes(value) : value;
    }

    /** Copies {@code length} bytes from native memory at {@code address} to {@code at}. */
    void copyFromAddress(long at, long address, int length) {
        bytes.nativeWrite(address, at, length);
    }

    /** Copies {@code length} bytes from {@code at} to native memory at {@code address}. */
    void copyToAddress(long at, long address, int length) {
        bytes.nativeRead(at, address, length);
    }

    /** Copies from the start of a direct buffer. */
    void put(long at, ByteBuffer direct, int length) {
        copyFromAddress(at, BufferUtil.address(direct), length);
    }

    /** Copies into the start of a direct buffer. */
    void get(long at, ByteBuffer direct, int length) {
        copyToAddress(at, BufferUtil.address(direct), length);
    }

    void put(long at, byte[] from, int offset, int length) {
        bytes.write(at, from, offset, length);
    }

    void get(long at, byte[] into, int offset, int length) {
        bytes.read(at, into, offset, length);
    }

    /**
     * Bytes [at, at + length) as a direct buffer: position {@code at}, limit {@code at + length}.
     * The same object every call (one view per buffer: finish with a region before asking for the
     * next); a new one only after the memory grew. Valid until the next {@link #ensure}.
     */
    ByteBuffer region(long at, int length) {
        if (at < 0 || length < 0 || at + length > bytes.writePosition()) {
            throw new IndexOutOfBoundsException("region " + at + "+" + length + " of " + bytes.writePosition()
                    + " staged bytes");
        }
        ByteBuffer memory = bytes.underlyingObject();
        if (memory != viewed) {
            viewed = memory;
            view = memory.duplicate();
        }
        view.limit((int) at + length);
        view.position((int) at);
        return view;
    }

    /** Frees the memory; the buffer is unusable afterwards. */
    @Override
    public void close() {
        bytes.releaseLast();
    }
}
