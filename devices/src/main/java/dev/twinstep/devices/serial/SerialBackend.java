package dev.twinstep.devices.serial;

/**
 * A UART's host side. Output: called on the machine thread, once per byte, so implementations buffer
 * and write out on {@link #flush()} or when a line ends. Input (optional): a back end that reads the
 * host (stdin, a socket) does so on its own I/O thread, keeps the bytes in a thread-safe queue, and
 * tells the UART through the callback given to {@link #startInput}; the UART then pulls them on the
 * machine thread with {@link #pollInput()} as long as its FIFO has room, so no byte is ever dropped.
 */
public interface SerialBackend extends AutoCloseable {
    /** Drops every byte and never receives: {@code --serial none}. */
    SerialBackend NONE = new SerialBackend() {
        @Override
        public void transmit(int value) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** One byte the guest wrote to the transmit holding register (the low 8 bits of {@code value}). */
    void transmit(int value);

    /** Pushes buffered bytes to the host. */
    void flush();

    /**
     * Starts reading host input, if this back end has any; {@code inputAvailable} is called from the
     * I/O thread whenever new bytes are queued. Returns whether input will ever come.
     */
    default boolean startInput(Runnable inputAvailable) {
        return false;
    }

    /** The next queued input byte (0-255), or -1 when none is queued. Machine thread; never blocks. */
    default int pollInput() {
        return -1;
    }

    /** Flushes and releases the host resource (a file, a socket; stdio is flushed but left open). */
    @Override
    void close();
}
