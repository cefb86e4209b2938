package dev.twinstep.tools.colo;

import dev.twinstep.tools.control.ControlConnection;
import dev.twinstep.tools.launch.TwinstepProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Real {@code twinstep} processes running the kvstore guest for the failover and migration tests:
 * each with its own 64 MiB disk image and logs in the test's directory, the guest's UDP service on a
 * host port through {@code user} networking. Every wait fails with the tail of each child's stderr,
 * so a failure on a CI machine explains itself. Closing kills whatever still runs.
 */
public final class KvProcessHarness implements AutoCloseable {
    /** Start-up of a child JVM, its guest and an initial sync, on a slow shared 2-core machine. */
    public static final Duration START_UP = Duration.ofSeconds(90);
    /** An event that follows a cause the test just made (a kill, a command). */
    public static final Duration EVENT = Duration.ofSeconds(30);
    private static final long DISK_BYTES = 64L << 20;
    private static final int TAIL_LINES = 25;

    private final Path dir;
    private final List<TwinstepProcess> processes = new ArrayList<>();

    /** Children write their logs and disks into {@code dir}. */
    public KvProcessHarness(Path dir) {
        this.dir = dir;
    }

    /** The directory of logs, disks and sockets. */
    public Path dir() {
        return dir;
    }

    /** A free loopback TCP port (for a replication or migration listener). */
    public static int freeTcpPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** A free loopback UDP port (for the guest's forwarded service). */
    public static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** The guest's service as clients reach it. */
    public static InetSocketAddress service(int hostPort) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), hostPort);
    }

    /** A new zero-filled (sparse) 64 MiB disk image, as the kvstore guest needs. */
    public Path newDisk(String name) throws IOException {
        Path disk = dir.resolve(name + ".img");
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(DISK_BYTES);
        }
        return disk;
    }

    /** The {@code --drive} and {@code --netdev} options of a kvstore guest on {@code disk} serving on {@code hostPort}. */
    public static List<String> kvstoreOptions(Path disk, int hostPort) {
        return List.of("--guest", "kvstore", "--drive", "file=" + disk + ",format=raw,if=ide,index=0",
                "--netdev", "user,hostfwd=udp:127.0.0.1:" + hostPort + "-:9000");
    }

    /** {@code twinstep ARGS...} as child NAME (stdout in NAME.out, stderr in NAME.err). */
    public TwinstepProcess start(String name, List<String> args) throws IOException {
        TwinstepProcess process = TwinstepProcess.start(name, args, dir, line -> { });
        processes.add(process);
        return process;
    }

    /**
     * {@code twinstep secondary} on {@code replicationPort} with its own disk, control socket
     * NAME.sock, plus {@code extra} options.
     */
    public TwinstepProcess startSecondary(String name, int replicationPort, String... extra)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("secondary", "--listen", "tcp:127.0.0.1:" + replicationPort,
                "--drive", "file=" + newDisk(name) + ",format=raw,if=ide,index=0",
                "--control", "unix:" + controlSocket(name)));
        args.addAll(Arrays.asList(extra));
        TwinstepProcess secondary = start(name, args);
        awaitLine(secondary, "waiting for a primary", START_UP);
        return secondary;
    }

    /**
     * {@code twinstep primary} running kvstore on its own disk, serving on {@code hostPort},
     * replicating to {@code replicationPort}, control socket NAME.sock, plus {@code extra} options.
     */
    public TwinstepProcess startPrimary(String name, int hostPort, int replicationPort, String... extra)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("primary"));
        args.addAll(kvstoreOptions(newDisk(name), hostPort));
        args.addAll(List.of("--secondary", "tcp:127.0.0.1:" + replicationPort, "--control", "unix:" + controlSocket(name)));
        args.addAll(Arrays.asList(extra));
        return start(name, args);
    }

    /** Where child NAME's control socket is. */
    public Path controlSocket(String name) {
        return dir.resolve(name + ".sock");
    }

    /** A negotiated session on child NAME's control socket. */
    public ControlConnection control(String name) throws IOException, InterruptedException {
        return ControlConnection.open(controlSocket(name), EVENT);
    }

    /** Waits for a stderr line containing {@code fragment}; fails with every child's log tail otherwise. */
    public String awaitLine(TwinstepProcess process, String fragment, Duration timeout) throws InterruptedException {
        return awaitOccurrence(process, fragment, 1, timeout);
    }

    /** Waits for the {@code n}th stderr line containing {@code fragment}. */
    public String awaitOccurrence(TwinstepProcess process, String fragment, int n, Duration timeout)
            throws InterruptedException {
        Predicate<String> nth = new Predicate<>() {
            private int seen;

            @Override
            public boolean test(String line) {
                return line.contains(fragment) && ++seen == n;
            }
        };
        String line = process.awaitLine(nth, timeout);
        if (line == null) {
            throw failure(process.name() + (process.isAlive() ? " did not print" : " ended without printing")
                    + " occurrence " + n + " of '" + fragment + "' within " + timeout);
        }
        return line;
    }

    /** How many stderr lines so far contain {@code fragment}. */
    public static long count(TwinstepProcess process, String fragment) {
        return process.lines().stream().filter(line -> line.contains(fragment)).count();
    }

    /** Waits until the guest of {@code process} printed {@code text} on its serial line (stdout). */
    public void awaitGuestOutput(TwinstepProcess process, String text, Duration timeout)
            throws IOException, InterruptedException {
        Path out = dir.resolve(process.name() + ".out");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(out) && Files.readString(out, StandardCharsets.ISO_8859_1).contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw failure(process.name() + "'s guest did not print '" + text + "' within " + timeout);
    }

    /** An assertion failure carrying {@code message} and the tail of every child's logs. */
    public AssertionError failure(String message) {
        return new AssertionError(message + System.lineSeparator() + diagnostics());
    }

    /** The last lines of every child's stderr and serial output. */
    public String diagnostics() {
        StringBuilder text = new StringBuilder();
        for (TwinstepProcess process : processes) {
            text.append("---- ").append(process.name()).append(process.isAlive() ? " (running)" : " (ended)")
                    .append(", stderr tail:").append(System.lineSeparator());
            List<String> lines = process.lines();
            for (String line : lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())) {
                text.append("  ").append(line).append(System.lineSeparator());
            }
            Path out = dir.resolve(process.name() + ".out");
            try {
                if (Files.exists(out)) {
                    List<String> serial = Files.readAllLines(out, StandardCharsets.ISO_8859_1);
                    text.append("  serial tail: ")
                            .append(String.join(" | ", serial.subList(Math.max(0, serial.size() - 5), serial.size())))
                            .append(System.lineSeparator());
                }
            } catch (IOException e) {
                text.append("  (serial log unreadable: ").append(e.getMessage()).append(')').append(System.lineSeparator());
            }
        }
        return text.toString();
    }

    /** Kills every child still running. */
    @Override
    public void close() {
        for (TwinstepProcess process : processes) {
            process.close();
        }
    }
}
