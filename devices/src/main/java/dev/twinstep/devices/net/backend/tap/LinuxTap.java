package dev.twinstep.devices.net.backend.tap;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TAP interface opened through {@code /dev/net/tun} (the only native code of the network back
 * ends). The interface must exist already or the process must have CAP_NET_ADMIN to create it; frames
 * carry no packet-information header ({@code IFF_NO_PI}).
 */
final class LinuxTap implements AutoCloseable {
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    /** {@code _IOW('T', 202, int)} from linux/if_tun.h. */
    private static final long TUNSETIFF = 0x400454CAL;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final int IFNAMSIZ = 16;
    /** sizeof(struct ifreq) on Linux. */
    private static final int IFREQ_BYTES = 40;
    private static final short POLLIN = 0x0001;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    /** The few libc calls TAP needs. */
    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(String path, int flags) throws LastErrorException;

        int ioctl(int fd, NativeLong request, Pointer argument) throws LastErrorException;

        NativeLong read(int fd, Pointer buffer, NativeLong count) throws LastErrorException;

        NativeLong write(int fd, Pointer buffer, NativeLong count) throws LastErrorException;

        int poll(Pointer fds, NativeLong count, int timeoutMillis) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final int fd;
    private final String name;
    private final Memory readBuffer;
    private final Memory writeBuffer;
    private final Memory pollFd = new Memory(8);
    private volatile boolean closed;

    private LinuxTap(int fd, String name, int maxFrameBytes) {
        this.fd = fd;
        this.name = name;
        this.readBuffer = new Memory(maxFrameBytes);
        this.writeBuffer = new Memory(maxFrameBytes);
    }

    /**
     * Attaches to (or creates) the TAP interface {@code name}.
     *
     * @throws IOException with the system's reason (no /dev/net/tun, not permitted, busy) for the user
     */
    static LinuxTap open(String name, int maxFrameBytes) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length >= IFNAMSIZ) {
            throw new IOException("interface name '" + name + "' must have 1 to " + (IFNAMSIZ - 1) + " characters");
        }
        LibC libc;
        try {
            libc = LibC.INSTANCE;
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("TAP needs Linux and its C library: " + e.getMessage(), e);
        }
        int fd;
        try {
            fd = libc.open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("cannot open /dev/net/tun: " + reason(e), e);
        }
        try (Memory ifreq = new Memory(IFREQ_BYTES)) {
            ifreq.clear();
            ifreq.write(0, nameBytes, 0, nameBytes.length);
            ifreq.setShort(IFNAMSIZ, (short) (IFF_TAP | IFF_NO_PI));
            libc.ioctl(fd, new NativeLong(TUNSETIFF), ifreq);
        } catch (LastErrorException e) {
            libc.close(fd);
            throw new IOException("cannot attach to TAP interface '" + name + "': " + reason(e)
                    + (e.getErrorCode() == 1 ? " (create it with 'ip tuntap add " + name + " mode tap user $USER')" : ""), e);
        }
        return new LinuxTap(fd, name, maxFrameBytes);
    }

    String name() {
        return name;
    }

    /**
     * Waits up to {@code timeoutMillis} for a frame and reads it into {@code into}.
     *
     * @return the frame's length, 0 if none came in time, or -1 once closed
     */
    int read(byte[] into, int timeoutMillis) throws IOException {
        if (closed) {
            return -1;
        }
        pollFd.setInt(0, fd);
        pollFd.setShort(4, POLLIN);
        pollFd.setShort(6, (short) 0);
        try {
            if (LibC.INSTANCE.poll(pollFd, new NativeLong(1), timeoutMillis) == 0 || closed) {
                return closed ? -1 : 0;
            }
            int length = (int) LibC.INSTANCE.read(fd, readBuffer, new NativeLong(Math.min(into.length, readBuffer.size())))
                    .longValue();
            readBuffer.read(0, into, 0, length);
            return length;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR || e.getErrorCode() == EAGAIN) {
                return 0;
            }
            throw new IOException("reading TAP interface '" + name + "': " + reason(e), e);
        }
    }

    /** Writes one frame; called from one thread at a time. */
    void write(byte[] frame, int length) throws IOException {
        writeBuffer.write(0, frame, 0, length);
        try {
            LibC.INSTANCE.write(fd, writeBuffer, new NativeLong(length));
        } catch (LastErrorException e) {
            throw new IOException("writing TAP interface '" + name + "': " + reason(e), e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }

    private static String reason(LastErrorException e) {
        switch (e.getErrorCode()) {
            case 1:
                return "operation not permitted";
            case 2:
                return "no such file (is the tun module loaded?)";
            case 13:
                return "permission denied";
            case 16:
                return "device or resource busy";
            case 19:
                return "no such device";
            default:
                return "errno " + e.getErrorCode();
        }
    }
}
