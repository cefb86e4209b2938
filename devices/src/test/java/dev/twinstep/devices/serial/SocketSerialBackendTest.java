package dev.twinstep.devices.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SocketSerialBackendTest {
    @Test
    void shouldWaitForOnePeerAsAServerAndCarryBytesBothWays() throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<SocketSerialBackend> served = CompletableFuture.supplyAsync(() -> {
            try {
                return SocketSerialBackend.serve("127.0.0.1", 0, port::complete);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (Socket peer = new Socket("127.0.0.1", port.get(10, TimeUnit.SECONDS));
             SocketSerialBackend backend = served.get(10, TimeUnit.SECONDS)) {
            CountDownLatch arrived = new CountDownLatch(1);
            assertTrue(backend.startInput(arrived::countDown));
            OutputStream toGuest = peer.getOutputStream();
            toGuest.write(new byte[] {'h', 'i'});
            toGuest.flush();
            assertTrue(arrived.await(10, TimeUnit.SECONDS));
            StringBuilder received = new StringBuilder();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.length() < 2 && System.nanoTime() < until) {
                int b = backend.pollInput();
                if (b >= 0) {
                    received.append((char) b);
                } else {
                    Thread.onSpinWait();
                }
            }
            assertEquals("hi", received.toString());
            for (byte b : "OK\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
                backend.transmit(b);
            }
            InputStream fromGuest = peer.getInputStream();
            assertEquals("OK\n", new String(fromGuest.readNBytes(3), java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldDropOutputQuietlyOnceThePeerIsGone() throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<SocketSerialBackend> served = CompletableFuture.supplyAsync(() -> {
            try {
                return SocketSerialBackend.serve("127.0.0.1", 0, port::complete);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        new Socket("127.0.0.1", port.get(10, TimeUnit.SECONDS)).close();
        try (SocketSerialBackend backend = served.get(10, TimeUnit.SECONDS)) {
            for (int i = 0; i < 100_000; i++) {
                backend.transmit('x');
            }
            backend.flush();
        }
    }
}
