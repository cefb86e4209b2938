package dev.twinstep.devices.net.backend.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twinstep.devices.net.backend.RecordingSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs a TAP back end against the Linux network stack in a network namespace of its own: the kernel
 * in the namespace asks for the fake guest's MAC with ARP, the test answers as the guest would, and
 * the kernel then sends its queued UDP datagram to that MAC. Needs root and the ip tool.
 */
class TapNetBackendTest {
    private static final byte[] GUEST_MAC = {0x52, 0x54, 0x00, (byte) 0xAA, (byte) 0xBB, (byte) 0xCC};
    private static final byte[] HOST_IP = {10, 99, 0, 1};
    private static final byte[] GUEST_IP = {10, 99, 0, 2};

    private static boolean isRoot() {
        try {
            return "0".equals(run("id", "-u").trim());
        } catch (IOException e) {
            return false;
        }
    }

    private static String run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + new String(output, StandardCharsets.UTF_8));
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Test
    void shouldExchangeFramesWithTheKernelInANetworkNamespace() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "skipped: no /dev/net/tun on this host");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "skipped: the ip tool (iproute2) is not installed");
        assumeTrue(isRoot(), "skipped: creating a network namespace and a TAP interface needs root");
        long pid = ProcessHandle.current().pid();
        String namespace = "twinstep-tap-" + pid;
        String ifname = "tstap" + (pid % 100000);
        RecordingSink sink = new RecordingSink();
        run("ip", "netns", "add", namespace);
        try (TapNetBackend backend = new TapNetBackend(ifname)) {
            backend.attach(sink);
            backend.start();
            run("ip", "link", "set", ifname, "netns", namespace);
            run("ip", "-n", namespace, "addr", "add", "10.99.0.1/24", "dev", ifname);
            run("ip", "-n", namespace, "link", "set", ifname, "up");
            run("ip", "netns", "exec", namespace, "bash", "-c", "echo twinstep > /dev/udp/10.99.0.2/4242");

            byte[] question = nextMatching(sink, frame -> etherType(frame) == 0x0806
                    && Arrays.equals(Arrays.copyOfRange(frame, 38, 42), GUEST_IP));
            assertNotNull(question, "the kernel should ask for 10.99.0.2 on the TAP interface");
            byte[] hostMac = Arrays.copyOfRange(question, 22, 28);
            ByteBuffer answer = ByteBuffer.allocate(60);
            answer.put(hostMac).put(GUEST_MAC).putShort((short) 0x0806).putShort((short) 1).putShort((short) 0x0800)
                    .put((byte) 6).put((byte) 4).putShort((short) 2).put(GUEST_MAC).put(GUEST_IP).put(hostMac).put(HOST_IP);
            backend.transmit(answer.array(), 0, 60);

            byte[] datagram = nextMatching(sink, frame -> etherType(frame) == 0x0800 && frame[23] == 17);
            assertNotNull(datagram, "after our ARP reply the kernel should send its UDP datagram");
            assertArrayEquals(GUEST_MAC, Arrays.copyOfRange(datagram, 0, 6), "addressed to the MAC we announced");
            assertEquals(4242, Short.toUnsignedInt(ByteBuffer.wrap(datagram).getShort(36)));
            assertEquals("twinstep\n", new String(datagram, 42, 9, StandardCharsets.US_ASCII));
            assertEquals(1, backend.stats().framesOut.get());
            assertEquals(0, backend.stats().framesDropped.get());
        } finally {
            run("ip", "netns", "del", namespace);
        }
    }

    @Test
    void shouldFailToStartWithAnInterfaceNameThatIsTooLong() {
        TapNetBackend backend = new TapNetBackend("a-name-longer-than-15");
        backend.attach((frame, offset, length) -> true);
        IOException e = assertThrows(IOException.class, backend::start);
        assertEquals("interface name 'a-name-longer-than-15' must have 1 to 15 characters", e.getMessage());
    }

    private static int etherType(byte[] frame) {
        return frame.length < 14 ? -1 : Short.toUnsignedInt(ByteBuffer.wrap(frame).getShort(12));
    }

    private static byte[] nextMatching(RecordingSink sink, java.util.function.Predicate<byte[]> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            byte[] frame = sink.next(200);
            if (frame != null && wanted.test(frame)) {
                return frame;
            }
        }
        return null;
    }
}
