package dev.twinstep.colo.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.openhft.chronicle.bytes.Bytes;
import org.agrona.BufferUtil;

/**
 * Elastic off-heap memory for a staged epoch (the primary's staging area, the secondary's cache),
 * on Chronicle Bytes. Random access only; integers are stored big-endian, as they go on the wire, so
 * a staged region is sent or received as is. Grows, never shrinks, and is reused epoch after epoch.
 * The Chronicle type stays inside this class. One thread at a time (the owner hands it over only
 * with a happens-before edge, e.g. a thread start).
 */
final class StagingBuffer implements AutoCloseable {
    private static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final Bytes<Void> bytes = Bytes.allocateElasticDirect();

    /** @param initialBytes capacity reserved now (lazily backed by the OS) */
    StagingBuffer(long initialBytes) {
        // The staging area is filled on the checkpoint thread and may be created elsewhere.
        bytes.singleThreadedCheckDisabled(true);
        bytes.ensureCapacity(initialBytes);
    }

    /**
     * Makes sure bytes [0, length) exist and may be read back: call it before writing a region.
     * (Chronicle checks random-access reads against the write position, which random-access writes
     * do not move.)
     */
    void ensure(long length) {
        if (length > bytes.realCapacity()) {
            bytes.ensureCapacity(Math.max(length, bytes.realCapacity() + (bytes.realCapacity() >> 1)));
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

    /** Frees the memory; the buffer is unusable afterwards. */
    @Override
    public void close() {
        bytes.releaseLast();
    }
}
