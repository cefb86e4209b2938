package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

@Timeout(60)
class SerialOptionTest {
    private final SerialOption.Converter converter = new SerialOption.Converter();

    @Test
    void shouldParseTcpClientAndServerAsQemuSpellsThem() {
        assertEquals(new SerialOption(SerialOption.Kind.TCP, null, "localhost", 4444, false),
                converter.convert("tcp:localhost:4444"));
        assertEquals(new SerialOption(SerialOption.Kind.TCP, null, "127.0.0.1", 4444, true),
                converter.convert("tcp::4444,server=on,wait=on"));
    }

    @Test
    void shouldRejectABadPortOrAnUnknownFlagWithOneClearMessage() {
        assertTrue(assertThrows(TypeConversionException.class, () -> converter.convert("tcp:host:http")).getMessage()
                .contains("the port must be a number"));
        assertTrue(assertThrows(TypeConversionException.class, () -> converter.convert("tcp:host:1,nodelay"))
                .getMessage().contains("unknown serial option 'nodelay'"));
    }

    @Test
    void shouldSendCom1OutputToATcpPeer(@TempDir Path dir) throws Exception {
        Path kernel = TinyKernel.write(dir, "ok.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = server.accept(); InputStream in = peer.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            CliRun run = CliRun.of("run", "--kernel", kernel.toString(), "--serial",
                    "tcp:127.0.0.1:" + server.getLocalPort());
            assertEquals(1, run.status(), run.stderr());
            assertEquals("OK\n", received.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldAttachCom2ForASecondSerialOption(@TempDir Path dir) throws Exception {
        Path kernel = TinyKernel.write(dir, "ok.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0));
        Path com2 = dir.resolve("com2.txt");
        CliRun run = CliRun.of("run", "--kernel", kernel.toString(), "--serial", "stdio", "--serial", "file:" + com2);
        assertEquals(1, run.status(), run.stderr());
        assertEquals("OK\n", run.stdout());
        assertTrue(java.nio.file.Files.exists(com2));
        CliRun three = CliRun.of("run", "--kernel", kernel.toString(), "--serial", "none", "--serial", "none",
                "--serial", "none");
        assertEquals(2, three.status());
        assertTrue(three.stderr().contains("at most two --serial options"), three.stderr());
    }

    @Test
    void shouldRejectAnUnknownClock(@TempDir Path dir) throws Exception {
        Path kernel = TinyKernel.write(dir, "ok.bin", TinyKernel.image(TinyKernel.PRINT_OK_AND_EXIT, 0));
        CliRun run = CliRun.of("run", "--kernel", kernel.toString(), "--clock", "virtual");
        assertEquals(2, run.status());
        assertTrue(run.stderr().contains("'virtual' is not a clock (use realtime or icount)"), run.stderr());
    }
}
