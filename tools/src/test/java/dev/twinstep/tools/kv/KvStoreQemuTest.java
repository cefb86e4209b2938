package dev.twinstep.tools.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twinstep.tools.kv.KvProtocol.Status;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the kvstore guest under qemu-system-i386 (the reference machine: legacy virtio-net and an
 * IDE disk) with user networking on a free 127.0.0.1 port, runs the checked client load against
 * it, then kills QEMU and boots the same disk again to see the data come back from the log.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KvStoreQemuTest {
    private static final String QEMU = "qemu-system-i386";
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern REPLAYED = Pattern.compile("replayed (\\d+) records");

    @TempDir
    Path dir;
    private Process qemu;
    private Path serial;
    private int port;

    @BeforeEach
    void requireQemu() {
        assumeTrue(onPath(QEMU), QEMU + " is not installed: the kvstore reference test needs it");
    }

    @AfterEach
    void stopQemu() throws InterruptedException {
        kill();
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }

    private Path extractImage() throws IOException {
        Path elf = dir.resolve("kvstore.elf");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("dev/twinstep/guests/kvstore.elf")) {
            assertTrue(in != null, "kvstore.elf is missing from the guest-images resources");
            Files.copy(in, elf);
        }
        return elf;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /* Starts QEMU and waits for the guest's "listening" line; returns the boot transcript. */
    private String boot(Path elf, Path disk, String run) throws IOException, InterruptedException {
        serial = dir.resolve("serial-" + run + ".txt");
        port = freeUdpPort();
        qemu = new ProcessBuilder(List.of(QEMU, "-machine", "pc", "-m", "128", "-kernel", elf.toString(),
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-drive", "file=" + disk + ",format=raw,if=ide,index=0",
                "-netdev", "user,id=n0,hostfwd=udp:127.0.0.1:" + port + "-:9000",
                "-device", "virtio-net-pci,netdev=n0,disable-modern=on"))
                .redirectErrorStream(true).redirectOutput(serial.toFile()).start();
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(serial, StandardCharsets.ISO_8859_1);
            if (text.contains("kvstore: listening on 10.0.2.15:9000")) {
                return text;
            }
            if (!qemu.isAlive()) {
                throw new AssertionError("QEMU stopped (status " + qemu.exitValue() + "): " + text);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the guest did not start listening in " + BOOT_TIMEOUT + ": "
                + Files.readString(serial, StandardCharsets.ISO_8859_1));
    }

    private void kill() throws InterruptedException {
        if (qemu != null) {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
            qemu = null;
        }
    }

    private InetSocketAddress target() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static int replayed(String transcript) {
        Matcher m = REPLAYED.matcher(transcript);
        assertTrue(m.find(), "no replay line in: " + transcript);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void shouldServeACheckedLoadExactlyOnceAndKeepTheDataAcrossAReboot() throws Exception {
        Path elf = extractImage();
        Path disk = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(16L << 20);
        }
        String first = boot(elf, disk, "first");
        assertEquals(0, replayed(first), "a fresh disk has no log");

        KvLoad.Report report = KvLoad.run(new KvLoad.Config(target(), 3, 300, Duration.ZERO, 300, 20,
                KvLoad.Mix.parse("incr=50,put=30,get=15,del=5"), 42));
        assertEquals(0, report.contradictions(), report.summary());
        assertEquals(0, report.timeouts(), report.summary());
        assertEquals(3 * (300 + 4), report.acknowledged(), "every request and final check is answered");

        long clientId = 0x5EED_0001L;
        long incrSeq;
        try (KvClient client = new KvClient(target(), clientId, 1, 500, 20)) {
            for (int i = 1; i <= 5; i++) {
                assertEquals(i, client.incr("counter", 1).counter());
            }
            KvReply retried = client.resendLast();
            assertEquals(Status.OK, retried.status());
            assertEquals(5, retried.counter(), "a retry gets the saved reply");
            assertEquals(client.lastSeq(), retried.seq());
            incrSeq = client.lastSeq();
            assertEquals(5, client.get("counter").counter(), "the retried INCR ran once");
            assertEquals(Status.OK, client.put("name", "twinstep".getBytes(StandardCharsets.UTF_8)).status());
            assertEquals("twinstep", new String(client.get("name").value(), StandardCharsets.UTF_8));
            assertEquals(Status.OK, client.put("doomed", new byte[] {1}).status());
            assertEquals(Status.OK, client.del("doomed").status());
            assertEquals(Status.NOT_FOUND, client.get("doomed").status());
            assertEquals(Status.NOT_FOUND, client.del("doomed").status());
        }

        kill();
        String second = boot(elf, disk, "second");
        assertTrue(replayed(second) > 0, second);
        try (KvClient again = new KvClient(target(), clientId, incrSeq, 500, 20)) {
            KvReply saved = again.incr("counter", 1);
            assertEquals(Status.STALE_SEQ, saved.status(), "seq " + incrSeq + " is older than the client's last");
        }
        try (KvClient again = new KvClient(target(), clientId, 1000, 500, 20)) {
            KvReply value = again.get("counter");
            assertEquals(5, value.counter(), "the counter survived the reboot");
            assertEquals("twinstep", new String(again.get("name").value(), StandardCharsets.UTF_8));
            assertEquals(Status.NOT_FOUND, again.get("doomed").status());
        }
        try (KvClient fresh = new KvClient(target(), 0x5EED_0002L, 1, 500, 20)) {
            assertEquals(6, fresh.incr("counter", 1).counter());
        }
    }

    @Test
    void shouldAnswerARetryOfTheLastLoggedChangeWithItsSavedReplyAfterAReboot() throws Exception {
        Path elf = extractImage();
        Path disk = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(16L << 20);
        }
        boot(elf, disk, "first");
        long clientId = 0x5EED_0003L;
        try (KvClient client = new KvClient(target(), clientId, 1, 500, 20)) {
            client.incr("hits", 10);
            assertEquals(17, client.incr("hits", 7).counter());
        }
        kill();
        boot(elf, disk, "second");
        // The same (client, seq) as the last INCR: the rebuilt client table must answer it unexecuted.
        try (KvClient retry = new KvClient(target(), clientId, 2, 500, 20)) {
            KvReply reply = retry.incr("hits", 7);
            assertEquals(Status.OK, reply.status());
            assertEquals(17, reply.counter());
            assertEquals(17, retry.get("hits").counter());
        }
    }

    @Test
    void shouldCompactAFullLogRegionAndStillReplayDataAndSavedRepliesAfterAReboot() throws Exception {
        Path elf = extractImage();
        Path disk = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(11L << 20); // two regions of 11263 sectors: the smallest disk that compacts
        }
        boot(elf, disk, "first");
        long quietClient = 0x5EED_0004L;
        try (KvClient quiet = new KvClient(target(), quietClient, 1, 500, 20)) {
            assertEquals(100, quiet.incr("quiet", 100).counter());
        }
        int increments = 11_400;
        try (KvClient busy = new KvClient(target(), 0x5EED_0005L, 1, 500, 20)) {
            for (int i = 1; i <= increments; i++) {
                assertEquals(i, busy.incr("busy", 1).counter());
            }
        }
        assertTrue(Files.readString(serial, StandardCharsets.ISO_8859_1).contains("kvstore: log compacted"),
                "the log region filled up and was compacted");
        kill();
        boot(elf, disk, "second");
        // The quiet client's only request now lives in the snapshot's client record.
        try (KvClient quiet = new KvClient(target(), quietClient, 1, 500, 20)) {
            KvReply saved = quiet.incr("quiet", 100);
            assertEquals(Status.OK, saved.status());
            assertEquals(100, saved.counter(), "a retry after compaction and reboot gets the saved reply");
        }
        try (KvClient reader = new KvClient(target(), 0x5EED_0006L, 1, 500, 20)) {
            assertEquals(100, reader.get("quiet").counter());
            assertEquals(increments, reader.get("busy").counter());
        }
    }
}
