package dev.twinstep.devices.serial;

/**
 * Where a UART's transmitted bytes go on the host. Called on the machine thread, once per byte, so
 * implementations buffer and write out on {@link #flush()} or when a line ends.
 */
public interface SerialBackend extends AutoCloseable {
    /** Drops every byte: {@code --serial none}. */
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

    /** Flushes and releases the host resource (a file; stdio is flushed but left open). */
    @Override
    void close();
}
