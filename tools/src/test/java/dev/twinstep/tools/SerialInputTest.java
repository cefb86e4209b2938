package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Host input on {@code --serial stdio} reaches the guest through the I/O thread and the machine thread's queue. */
@Timeout(60)
class SerialInputTest {
    /** Polls COM1's LSR for data, echoes each byte, and exits with status 1 after echoing 'q'. */
    private static final byte[] ECHO_UNTIL_Q = {
        0x66, (byte) 0xBA, (byte) 0xFD, 0x03, // 0: mov dx,0x3fd
        (byte) 0xEC, // 4: in al,dx
        (byte) 0xA8, 0x01, // test al,1
        0x74, (byte) 0xFB, // jz 4
        0x66, (byte) 0xBA, (byte) 0xF8, 0x03, // mov dx,0x3f8
        (byte) 0xEC, // in al,dx
        (byte) 0xEE, // out dx,al
        0x3C, 'q', // cmp al,'q'
        0x75, (byte) 0xED, // jne 0
        (byte) 0xB0, 0x00, (byte) 0xE6, (byte) 0xF4, // mov al,0; out 0xf4,al
        (byte) 0xF4,
    };

    @Test
    void shouldEchoWhatTheHostTypes(@TempDir Path dir) throws Exception {
        Path kernel = TinyKernel.write(dir, "echo.bin", TinyKernel.image(ECHO_UNTIL_Q, 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"run", "--kernel", kernel.toString()},
                new ByteArrayInputStream("hello, guest\nq".getBytes(StandardCharsets.US_ASCII)), out,
                new PrintStream(err, true, StandardCharsets.UTF_8), GuestCatalog.builtIn());
        assertEquals(1, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("hello, guest\nq", out.toString(StandardCharsets.US_ASCII));
    }
}
