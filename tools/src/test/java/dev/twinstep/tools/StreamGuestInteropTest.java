package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Twinstep guest and a qemu-system-i386 guest on one {@code -netdev stream} wire exchange UDP
 * datagrams: the udpecho guest runs as server on one emulator and as client on the other, and each
 * side's COM1 transcript and exit status must equal what the same role printed when two QEMU
 * instances ran the pair (guest-images/reference/udpecho-*.txt, recorded by record.sh).
 */
@Timeout(180)
class StreamGuestInteropTest {
    private static final String QEMU = "qemu-system-i386";
    private static final Path REFERENCE_DIR =
            Path.of("").toAbsolutePath().getParent().resolve("guest-images/reference");
    /** Twinstep's NIC has 52:54:00:12:34:56, which QEMU would give its NIC too. */
    private static final String QEMU_MAC = "52:54:00:12:34:57";
    private static final long ROLE_SECONDS = 90;

    /** One role of the recorded pair: its -append string, exit status and transcript. */
    private record Role(String append, int exitStatus, String transcript) {
    }

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
    void shouldEchoTwinstepClientDatagramsFromAQemuServerLikeTwoQemus() throws Exception {
        assumeTrue(onPath(QEMU), "skipped: " + QEMU + " is not installed (apt-get install qemu-system-x86)");
        Map<String, Role> roles = recordedPair();
        int wirePort = freeTcpPort();
        Process qemu = startQemu("server", roles.get("server"), "server=on," + inet(wirePort));
        Process twinstep = startTwinstepClientWhenQemuListens(roles.get("client"), "server=off," + inet(wirePort), qemu);
        assertRoleMatchesReference("client", twinstep, roles.get("client"));
        assertRoleMatchesReference("server", qemu, roles.get("server"));
    }

    @Test
    void shouldEchoQemuClientDatagramsFromATwinstepServerLikeTwoQemus() throws Exception {
        assumeTrue(onPath(QEMU), "skipped: " + QEMU + " is not installed (apt-get install qemu-system-x86)");
        Map<String, Role> roles = recordedPair();
        int wirePort = freeTcpPort();
        Process twinstep = startTwinstep("server", roles.get("server"), "server=on," + inet(wirePort));
        awaitListening(wirePort, twinstep);
        Process qemu = startQemu("client", roles.get("client"), "server=off," + inet(wirePort));
        assertRoleMatchesReference("client", qemu, roles.get("client"));
        assertRoleMatchesReference("server", twinstep, roles.get("server"));
    }

    private void assertRoleMatchesReference(String role, Process process, Role reference) throws Exception {
        boolean ended = process.waitFor(ROLE_SECONDS, TimeUnit.SECONDS);
        String transcript = Files.readString(dir.resolve(role + ".txt"), StandardCharsets.ISO_8859_1);
        if (!ended) {
            throw new AssertionError("the " + role + " did not finish within " + ROLE_SECONDS + " s; it printed:\n"
                    + transcript + "\nstderr: " + errors(role));
        }
        assertEquals(reference.transcript(), transcript, "serial output of the " + role + "; stderr: " + errors(role));
        assertEquals(reference.exitStatus(), process.exitValue(), "exit status of the " + role + "; stderr: " + errors(role));
    }

    private Process startQemu(String role, Role reference, String streamOptions) throws IOException {
        Path image = dir.resolve("udpecho.elf");
        if (!Files.exists(image)) {
            try (InputStream elf = StreamGuestInteropTest.class.getResourceAsStream("/dev/twinstep/guests/udpecho.elf")) {
                assertNotNull(elf, "udpecho.elf should be on the test class path (built by guest-images)");
                Files.copy(elf, image);
            }
        }
        // Like record.sh: the bare file name from the image directory, so the guest sees "udpecho.elf <append>".
        Process qemu = new ProcessBuilder(QEMU, "-machine", "pc", "-m", "128", "-kernel", "udpecho.elf",
                "-append", reference.append(), "-display", "none", "-monitor", "none", "-no-reboot",
                "-serial", "file:" + dir.resolve(role + ".txt"),
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-netdev", "stream,id=wire," + streamOptions,
                "-device", "virtio-net-pci,netdev=wire,disable-modern=on,mac=" + QEMU_MAC)
                .directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve(role + ".err").toFile()).start();
        processes.add(qemu);
        return qemu;
    }

    private Process startTwinstep(String role, Role reference, String streamOptions) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24) {
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "run",
                "--guest", "udpecho", "--memory", "128M", "--append", reference.append(),
                "--netdev", "stream," + streamOptions));
        Process twinstep = new ProcessBuilder(command)
                .redirectOutput(dir.resolve(role + ".txt").toFile())
                .redirectError(dir.resolve(role + ".err").toFile()).start();
        processes.add(twinstep);
        return twinstep;
    }

    /**
     * Twinstep refuses to start when its stream client cannot connect, and QEMU may not listen yet:
     * start it again until the connection is made. A probe connection would take QEMU's only peer slot.
     */
    private Process startTwinstepClientWhenQemuListens(Role reference, String streamOptions, Process qemu) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Process twinstep = startTwinstep("client", reference, streamOptions);
            if (twinstep.waitFor(3, TimeUnit.SECONDS) && errors("client").contains("cannot connect to")) {
                if (System.nanoTime() > deadline || !qemu.isAlive()) {
                    throw new AssertionError("Twinstep could not connect to QEMU's stream server: " + errors("client")
                            + "\nQEMU: " + errors("server"));
                }
                Thread.sleep(200);
                continue;
            }
            return twinstep;
        }
    }

    /** Twinstep's stream server takes the next peer when one goes away, so a probe connection is harmless. */
    private void awaitListening(int port, Process twinstep) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !twinstep.isAlive()) {
                    throw new AssertionError("Twinstep did not listen on port " + port + ": " + errors("server"), notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    private String errors(String role) {
        try {
            Path file = dir.resolve(role + ".err");
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** udpecho-pair.tsv: role, exit status, memory MiB, append, recorder, image; transcripts beside it. */
    private static Map<String, Role> recordedPair() throws IOException {
        Map<String, Role> roles = new HashMap<>();
        for (String line : Files.readAllLines(REFERENCE_DIR.resolve("udpecho-pair.tsv"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            String transcript = Files.readString(REFERENCE_DIR.resolve("udpecho-" + f[0] + ".txt"), StandardCharsets.ISO_8859_1);
            roles.put(f[0], new Role(f[3], Integer.parseInt(f[1]), transcript));
        }
        assertEquals(2, roles.size(), "udpecho-pair.tsv should hold the server and the client");
        return roles;
    }

    private static String inet(int port) {
        return "addr.type=inet,addr.host=127.0.0.1,addr.port=" + port;
    }

    private static boolean onPath(String program) {
        for (String path : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(path, program))) {
                return true;
            }
        }
        return false;
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
