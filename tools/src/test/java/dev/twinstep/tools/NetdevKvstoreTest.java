package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twinstep.tools.kv.KvClient;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kvstore guest on Twinstep's virtio-net, reached from real host UDP clients through each
 * network back end that carries traffic off the host: the built-in user gateway, and a stream wire
 * whose other end is QEMU's own network stack (its slirp behind {@code -netdev stream}).
 */
@Timeout(120)
class NetdevKvstoreTest {
    private static final String QEMU = "qemu-system-i386";
    private static final int CLIENTS = 3;
    private static final int INCREMENTS_PER_CLIENT = 40;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void shouldServeSeveralHostClientsThroughTheUserBackEnd() throws Exception {
        int hostPort = freeUdpPort();
        bootKvstore("user,hostfwd=udp:127.0.0.1:" + hostPort + "-:9000");
        assertEachIncrementCountedOnce(hostPort);
    }

    @Test
    void shouldServeHostClientsThroughQemusNetworkStackOnAStreamWire() throws Exception {
        assumeTrue(onPath(QEMU), "skipped: " + QEMU + " is not installed (apt-get install qemu-system-x86)");
        int wirePort = freeTcpPort();
        int hostPort = freeUdpPort();
        bootKvstore("stream,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=" + wirePort);
        processes.add(new ProcessBuilder(QEMU, "-machine", "none", "-nodefaults", "-display", "none",
                "-monitor", "none", "-serial", "none",
                "-netdev", "stream,id=wire,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=" + wirePort,
                "-netdev", "user,id=slirp,hostfwd=udp:127.0.0.1:" + hostPort + "-10.0.2.15:9000",
                "-netdev", "hubport,id=p0,hubid=0,netdev=wire",
                "-netdev", "hubport,id=p1,hubid=0,netdev=slirp")
                .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.txt").toFile()).start());
        awaitReachable(hostPort);
        assertEachIncrementCountedOnce(hostPort);
    }

    /** Several clients increment one counter at once; exactly-once execution makes the total exact. */
    private static void assertEachIncrementCountedOnce(int hostPort) throws Exception {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), hostPort);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 1; c <= CLIENTS; c++) {
                long clientId = c;
                runs.add(pool.submit(() -> {
                    try (KvClient client = new KvClient(target, clientId, 1, 500, 20)) {
                        for (int i = 0; i < INCREMENTS_PER_CLIENT; i++) {
                            client.incr("hits", 1);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (KvClient reader = new KvClient(target, 99, 1, 500, 20)) {
            assertEquals(CLIENTS * INCREMENTS_PER_CLIENT, reader.get("hits").counter());
        }
    }

    private void bootKvstore(String netdev) throws IOException, InterruptedException {
        Path disk = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(16L << 20);
        }
        Path serial = dir.resolve("serial.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24) {
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "run",
                "--guest", "kvstore", "--drive", "file=" + disk + ",format=raw,if=ide,index=0", "--netdev", netdev));
        Process twinstep = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(serial.toFile()).start();
        processes.add(twinstep);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = Files.readString(serial, StandardCharsets.ISO_8859_1);
            if (text.contains("kvstore: listening on 10.0.2.15:9000")) {
                return;
            }
            if (!twinstep.isAlive()) {
                throw new AssertionError("twinstep stopped (status " + twinstep.exitValue() + "): " + text);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("kvstore did not start: " + Files.readString(serial, StandardCharsets.ISO_8859_1));
    }

    /** QEMU binds its hostfwd port once it is up; until then a client gets "port unreachable". */
    private static void awaitReachable(int udpPort) throws InterruptedException {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (KvClient probe = new KvClient(target, 98, 1, 500, 1)) {
                probe.get("hits");
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing answered on udp port " + udpPort, last);
    }

    private static boolean onPath(String program) {
        for (String path : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(path, program))) {
                return true;
            }
        }
        return false;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
