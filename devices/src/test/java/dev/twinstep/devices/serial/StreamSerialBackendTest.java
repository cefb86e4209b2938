package dev.twinstep.devices.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamSerialBackendTest {
    @TempDir
    Path dir;

    /** Counts host writes, to show that output is batched per line. */
    static final class CountingStream extends ByteArrayOutputStream {
        int writes;
        boolean closed;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes++;
            super.write(b, off, len);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void shouldWriteOncePerLine() {
        CountingStream host = new CountingStream();
        StreamSerialBackend backend = new StreamSerialBackend(host, false);
        for (char c : "one\ntwo\n".toCharArray()) {
            backend.transmit(c);
        }
        assertEquals(2, host.writes);
        assertEquals("one\ntwo\n", host.toString());
    }

    @Test
    void shouldWriteAFullBufferWithoutANewline() {
        CountingStream host = new CountingStream();
        StreamSerialBackend backend = new StreamSerialBackend(host, false);
        for (int i = 0; i < 5000; i++) {
            backend.transmit('x');
        }
        assertEquals(4096, host.size());
        backend.flush();
        assertEquals(5000, host.size());
    }

    @Test
    void shouldLeaveStdoutOpenButCloseAFile() throws IOException {
        CountingStream stdout = new CountingStream();
        new StreamSerialBackend(stdout, false).close();
        assertFalse(stdout.closed);

        Path file = dir.resolve("com1.txt");
        OutputStream out = Files.newOutputStream(file);
        StreamSerialBackend backend = new StreamSerialBackend(out, true);
        backend.transmit('a');
        backend.close();
        backend.close();
        backend.transmit('b');
        assertEquals("a", Files.readString(file));
    }
}
