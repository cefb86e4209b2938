package dev.twinstep.devices.serial;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Sends serial output to an {@link OutputStream}: the host's standard output ({@code --serial stdio})
 * or a file ({@code --serial file:PATH}). Bytes are collected in a small buffer and written when a
 * line ends or the buffer fills, so a chatty guest costs one host write per line, not per byte.
 * With an input stream (the host's standard input) the guest also receives what the host types.
 */
public final class StreamSerialBackend implements SerialBackend {
    private static final int BUFFER_BYTES = 4096;

    private final OutputStream out;
    private final boolean closeStream;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int used;
    private final InputPump input;
    private boolean closed;

    /**
     * @param closeStream whether {@link #close()} closes {@code out} (true for a file, false for stdout)
     */
    public StreamSerialBackend(OutputStream out, boolean closeStream) {
        this(out, closeStream, null);
    }

    /**
     * @param in host input for the guest (read on its own thread), or null for none
     */
    public StreamSerialBackend(OutputStream out, boolean closeStream, InputStream in) {
        this.out = out;
        this.closeStream = closeStream;
        this.input = in == null ? null : new InputPump(in, "twinstep-serial-in");
    }

    @Override
    public boolean startInput(Runnable inputAvailable) {
        if (input == null) {
            return false;
        }
        input.start(inputAvailable);
        return true;
    }

    @Override
    public int pollInput() {
        return input == null ? -1 : input.poll();
    }

    @Override
    public void transmit(int value) {
        if (closed) {
            return;
        }
        buffer[used++] = (byte) value;
        if (value == '\n' || used == buffer.length) {
            flush();
        }
    }

    @Override
    public void flush() {
        if (closed) {
            return;
        }
        try {
            if (used > 0) {
                out.write(buffer, 0, used);
                used = 0;
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("serial output failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        flush();
        closed = true;
        if (input != null) {
            input.stop();
        }
        if (closeStream) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing serial output failed: " + e.getMessage(), e);
            }
        }
    }
}
