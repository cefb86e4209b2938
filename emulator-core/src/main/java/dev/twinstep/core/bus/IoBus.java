package dev.twinstep.core.bus;

/**
 * The 65,536 I/O ports. Each port belongs to at most one device; a read of a free port returns all
 * ones, as on a PC with nothing driving the bus, and a write to one is dropped.
 *
 * <p>Devices see offsets from the first port they registered. An access that does not fit inside one
 * device's range (a 16-bit read of its last port, say) is split into byte accesses, each routed to
 * whichever device owns that byte's port, so a handler never sees an access past its own range.
 * Machine thread only.
 */
public final class IoBus {
    public static final int PORT_COUNT = 65536;

    private final IoPortHandler[] handlers = new IoPortHandler[PORT_COUNT];
    private final int[] bases = new int[PORT_COUNT];
    /** The last port of the range each port belongs to. */
    private final int[] lasts = new int[PORT_COUNT];
    private final String[] owners = new String[PORT_COUNT];

    /** Gives ports [firstPort, firstPort+count) to {@code handler}; refuses a range that overlaps another. */
    public void register(int firstPort, int count, IoPortHandler handler, String owner) {
        if (firstPort < 0 || count <= 0 || firstPort + count > PORT_COUNT) {
            throw new IllegalArgumentException(String.format("bad port range 0x%x+%d for %s", firstPort, count, owner));
        }
        if (handler == null) {
            throw new IllegalArgumentException("no handler for ports of " + owner);
        }
        for (int port = firstPort; port < firstPort + count; port++) {
            if (handlers[port] != null) {
                throw new IllegalArgumentException(String.format(
                        "port 0x%x of %s is already taken by %s", port, owner, owners[port]));
            }
        }
        for (int port = firstPort; port < firstPort + count; port++) {
            handlers[port] = handler;
            bases[port] = firstPort;
            lasts[port] = firstPort + count - 1;
            owners[port] = owner;
        }
    }

    /** Whether a device owns {@code port}. */
    public boolean isClaimed(int port) {
        return handlers[port & 0xFFFF] != null;
    }

    /** The owner name given at registration, or null for a free port. */
    public String ownerOf(int port) {
        return owners[port & 0xFFFF];
    }

    /** Reads {@code size} (1, 2, 4) bytes from {@code port}; returns the value zero-extended. */
    public int read(int port, int size) {
        port &= 0xFFFF;
        IoPortHandler handler = handlers[port];
        if (handler == null) {
            if (size == 1) {
                return 0xFF;
            }
            return readSplit(port, size);
        }
        if (port + size - 1 > lasts[port]) {
            return readSplit(port, size);
        }
        int value = handler.ioRead(port - bases[port], size);
        return size == 1 ? value & 0xFF : size == 2 ? value & 0xFFFF : value;
    }

    /** Writes the low {@code size} (1, 2, 4) bytes of {@code value} to {@code port}. */
    public void write(int port, int size, int value) {
        port &= 0xFFFF;
        IoPortHandler handler = handlers[port];
        if (handler == null || port + size - 1 > lasts[port]) {
            if (size != 1) {
                writeSplit(port, size, value);
            }
            return;
        }
        handler.ioWrite(port - bases[port], size, size == 1 ? value & 0xFF : size == 2 ? value & 0xFFFF : value);
    }

    private int readSplit(int port, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= read((port + i) & 0xFFFF, 1) << (8 * i);
        }
        return value;
    }

    private void writeSplit(int port, int size, int value) {
        for (int i = 0; i < size; i++) {
            write((port + i) & 0xFFFF, 1, value >>> (8 * i));
        }
    }
}
