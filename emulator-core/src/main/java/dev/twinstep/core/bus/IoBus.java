package dev.twinstep.core.bus;

/**
 * The 65,536 I/O ports. Each port belongs to at most one device; a read of a free port returns all
 * ones, as on a PC with nothing driving the bus, and a write to one is dropped.
 */
public final class IoBus {
    public static final int PORT_COUNT = 65536;

    private final IoPortHandler[] handlers = new IoPortHandler[PORT_COUNT];
    private final int[] bases = new int[PORT_COUNT];
    private final String[] owners = new String[PORT_COUNT];

    /** Gives ports [firstPort, firstPort+count) to {@code handler}; refuses a range that overlaps another. */
    public void register(int firstPort, int count, IoPortHandler handler, String owner) {
        if (firstPort < 0 || count <= 0 || firstPort + count > PORT_COUNT) {
            throw new IllegalArgumentException(String.format("bad port range 0x%x+%d for %s", firstPort, count, owner));
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
            owners[port] = owner;
        }
    }

    public boolean isClaimed(int port) {
        return handlers[port & 0xFFFF] != null;
    }

    /** Reads {@code size} (1, 2, 4) bytes from {@code port}; returns the value zero-extended. */
    public int read(int port, int size) {
        port &= 0xFFFF;
        IoPortHandler handler = handlers[port];
        if (handler == null) {
            return size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFFFFFF;
        }
        int value = handler.ioRead(port - bases[port], size);
        return size == 1 ? value & 0xFF : size == 2 ? value & 0xFFFF : value;
    }

    public void write(int port, int size, int value) {
        port &= 0xFFFF;
        IoPortHandler handler = handlers[port];
        if (handler != null) {
            handler.ioWrite(port - bases[port], size, size == 1 ? value & 0xFF : size == 2 ? value & 0xFFFF : value);
        }
    }
}
