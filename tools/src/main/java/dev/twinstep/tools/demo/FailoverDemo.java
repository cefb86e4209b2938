package dev.twinstep.tools.demo;

import dev.twinstep.tools.control.ControlConnection;
import dev.twinstep.tools.kv.KvLoad;
import dev.twinstep.tools.launch.TwinstepProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Runs the failover demo: a secondary and a primary process with the kvstore guest, a checked
 * client load on the primary's forwarded UDP port, then {@code kills} times: SIGKILL the process
 * serving the guest at a random moment, watch the secondary take over and the clients get answers
 * again, and (before the next kill) protect the survivor with a fresh secondary. Ends with the
 * load's read-back check and returns everything the report needs.
 */
final class FailoverDemo {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TAKE_OVER_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration PROTECT_TIMEOUT = Duration.ofSeconds(60);
    /** Replies taken from a socket this soon after the kill may still be the dead process's. */
    static final long STRAGGLER_NANOS = 50_000_000L;
    private static final long POLL_MILLIS = 250;
    private static final long PROGRESS_MILLIS = 1000;
    private static final long DISK_BYTES = 64L << 20;

    /**
     * The demo's options.
     *
     * @param clients            concurrent kv clients
     * @param kills              kill and take-over cycles
     * @param seed               seed of the kill moments and the operation mix
     * @param killAfterMin       shortest protected run before a kill
     * @param killAfterMax       longest protected run before a kill
     * @param afterKill          how long the load goes on after the last take-over answered
     * @param checkpointInterval the primaries' checkpoint interval
     * @param mix                operation weights
     * @param timeout            per-attempt reply timeout of a client
     * @param attempts           sends of one request before it is given up
     * @param dir                where the disks, sockets and logs go
     */
    record Settings(int clients, int kills, long seed, Duration killAfterMin, Duration killAfterMax, Duration afterKill,
                    Duration checkpointInterval, KvLoad.Mix mix, Duration timeout, int attempts, Path dir) {
    }

    /** A child process and its files. */
    private record Node(String name, TwinstepProcess process, Path control, int replicationPort) {
    }

    /**
     * One kill and what followed.
     *
     * @param victim        the killed process's name
     * @param pid           its process id
     * @param killNanos     when the kill was sent (System.nanoTime)
     * @param killClock     the same moment on the wall clock the children's log lines use
     * @param before        its replication status just before the kill
     * @param survivor      the process that took over
     * @param takeOverLine  the survivor's "TAKING OVER" line
     * @param endpointLine  the survivor's "network endpoint taken over" line, or null
     * @param reprotectedBy the secondary that protected the survivor afterwards, or null
     */
    record Kill(String victim, long pid, long killNanos, LocalTime killClock, ColoSnapshot before, String survivor,
                String takeOverLine, String endpointLine, String reprotectedBy) {
        Kill tookOver(String takeOver, String endpoint) {
            return new Kill(victim, pid, killNanos, killClock, before, survivor, takeOver, endpoint, reprotectedBy);
        }

        Kill reprotectedBy(String secondary) {
            return new Kill(victim, pid, killNanos, killClock, before, survivor, takeOverLine, endpointLine, secondary);
        }
    }

    /**
     * The raw outcome.
     *
     * @param loadStartNanos when the load started (0 if it never did)
     * @param loadEndNanos   when it was stopped
     * @param kills          the kills done
     * @param load           the load's outcome, or null if it never ran
     * @param error          why the demo could not go on, or null
     */
    record Outcome(long loadStartNanos, long loadEndNanos, List<Kill> kills, DemoLoad.Result load, String error) {
    }

    /** Thrown when the demo cannot go on (a process did not start, take over or get protected). */
    static final class DemoFailure extends Exception {
        private static final long serialVersionUID = 1L;

        DemoFailure(String message) {
            super(message);
        }
    }

    private final Settings settings;
    private final DemoConsole console;
    private final SplittableRandom random;
    private final List<Node> nodes = new ArrayList<>();
    private volatile Node serving;
    private volatile ColoSnapshot lastPolled = ColoSnapshot.NONE;
    private volatile boolean polling = true;

    FailoverDemo(Settings settings, DemoConsole console) {
        this.settings = settings;
        this.console = console;
        this.random = new SplittableRandom(settings.seed());
    }

    /** Runs the whole demo; failures to go on end up in {@link Outcome#error()}, never thrown. */
    Outcome run() throws InterruptedException {
        List<Kill> kills = new ArrayList<>();
        DemoLoad load = null;
        long loadStart = 0;
        long loadEnd = 0;
        String error = null;
        DemoLoad.Result result = null;
        Thread poller = null;
        // Ctrl-C must not leave a secondary behind that takes the guest over once the demo is gone.
        Thread killChildren = new Thread(this::closeNodes, "demo-kill-children");
        Runtime.getRuntime().addShutdownHook(killChildren);
        try {
            int kvPort = freeUdpPort();
            Node secondary = startSecondary(1);
            Node primary = startPrimary(kvPort, secondary);
            serving = primary;
            poller = startPoller();
            awaitLine(primary, line -> line.contains("protected:"), START_TIMEOUT, "become protected");
            awaitGuestListening(primary);
            load = new DemoLoad(new DemoLoad.Config(new InetSocketAddress("127.0.0.1", kvPort), settings.clients(),
                    settings.mix(), (int) settings.timeout().toMillis(), settings.attempts(), random.nextLong()));
            load.start();
            loadStart = System.nanoTime();
            console.event("load: " + settings.clients() + " clients sending INCR/PUT to udp 127.0.0.1:" + kvPort);
            Node survivor = secondary;
            for (int cycle = 1; cycle <= settings.kills(); cycle++) {
                long waitMillis = randomMillis(settings.killAfterMin(), settings.killAfterMax());
                runFor(waitMillis, load);
                killServing(survivor, load, kills);
                if (cycle < settings.kills()) {
                    Node newSecondary = startSecondary(cycle + 1);
                    protect(survivor, newSecondary);
                    kills.set(kills.size() - 1, kills.get(kills.size() - 1).reprotectedBy(newSecondary.name()));
                    survivor = newSecondary;
                }
            }
            runFor(settings.afterKill().toMillis(), load);
        } catch (DemoFailure | IOException e) {
            error = e.getMessage();
            console.event("FAILED: " + error);
        } finally {
            if (load != null) {
                console.event("stopping the load; reading every key back");
                loadEnd = System.nanoTime();
                result = load.stop(error == null ? 30_000 : 1000);
            }
            polling = false;
            if (poller != null) {
                poller.interrupt();
                poller.join(1000);
            }
            closeNodes();
            try {
                Runtime.getRuntime().removeShutdownHook(killChildren);
            } catch (IllegalStateException exiting) {
                // The hook is running.
            }
        }
        return new Outcome(loadStart, loadEnd, kills, result, error);
    }

    private void closeNodes() {
        List<Node> all;
        synchronized (nodes) {
            all = List.copyOf(nodes);
        }
        for (Node node : all) {
            node.process().close();
        }
    }

    /** Kills the serving process and waits for the survivor to answer the clients; adds the kill to {@code kills}. */
    private void killServing(Node survivor, DemoLoad load, List<Kill> kills) throws DemoFailure, InterruptedException {
        Node victim = serving;
        ColoSnapshot before = query(victim);
        if (before == ColoSnapshot.NONE) {
            before = lastPolled;
        }
        if (survivor.process().lines().stream().anyMatch(line -> line.contains("TAKING OVER"))) {
            throw new DemoFailure(survivor.name() + " took over while " + victim.name() + " was still alive (see "
                    + logOf(survivor) + ")");
        }
        LocalTime killClock = LocalTime.now();
        long killNanos = System.nanoTime();
        victim.process().kill();
        load.progress().mark(killNanos + STRAGGLER_NANOS);
        load.readBackSoon();
        kills.add(new Kill(victim.name(), victim.process().pid(), killNanos, killClock, before, survivor.name(), "", null,
                null));
        console.event("SIGKILL " + victim.name() + " (pid " + victim.process().pid() + "): it was " + before.mode()
                + " at epoch " + before.epoch() + " after " + before.checkpoints() + " checkpoints");
        String takeOver = awaitLine(survivor, line -> line.contains("TAKING OVER"), TAKE_OVER_TIMEOUT, "take over");
        String endpoint = survivor.process().awaitLine(line -> line.contains("network endpoint taken over"),
                TAKE_OVER_TIMEOUT);
        kills.set(kills.size() - 1, kills.get(kills.size() - 1).tookOver(takeOver, endpoint));
        serving = survivor;
        long deadline = System.nanoTime() + TAKE_OVER_TIMEOUT.toNanos();
        while (load.progress().firstAnswerAfterMark() == 0) {
            if (System.nanoTime() > deadline) {
                throw new DemoFailure("the clients got no answer within " + TAKE_OVER_TIMEOUT.toSeconds()
                        + " s of the take-over by " + survivor.name());
            }
            Thread.sleep(2);
        }
        console.event(String.format("clients answered again %.0f ms after the kill (served by %s)",
                (load.progress().firstAnswerAfterMark() - killNanos) / 1e6, survivor.name()));
    }

    /** Asks the survivor to replicate to {@code secondary} and waits until it is protected. */
    private void protect(Node survivor, Node secondary) throws DemoFailure, InterruptedException {
        String address = "tcp:127.0.0.1:" + secondary.replicationPort();
        try {
            ControlConnection.executeOnce(survivor.control(), "colo-protect", Map.of("secondary", address));
        } catch (IOException e) {
            throw new DemoFailure("colo-protect on " + survivor.name() + " failed: " + e.getMessage());
        }
        console.event("colo-protect " + survivor.name() + " -> " + secondary.name() + " (" + address + ")");
        long deadline = System.nanoTime() + PROTECT_TIMEOUT.toNanos();
        while (!"protected".equals(query(survivor).mode())) {
            if (System.nanoTime() > deadline) {
                throw new DemoFailure(survivor.name() + " was not protected by " + secondary.name() + " within "
                        + PROTECT_TIMEOUT.toSeconds() + " s (see " + settings.dir() + ")");
            }
            Thread.sleep(50);
        }
    }

    private Node startSecondary(int number) throws IOException, DemoFailure, InterruptedException {
        String name = "secondary-" + number;
        int port = freeTcpPort();
        Path control = settings.dir().resolve(name + ".sock");
        // The interval matters once this secondary has taken over and protects the guest in turn.
        List<String> args = List.of("secondary", "--listen", "tcp:127.0.0.1:" + port, "--drive", drive(name),
                "--control", "unix:" + control, "--checkpoint-interval", settings.checkpointInterval().toMillis() + "ms");
        Node node = start(name, args, control, port);
        awaitLine(node, line -> line.contains("waiting for a primary"), START_TIMEOUT, "listen");
        return node;
    }

    private Node startPrimary(int kvPort, Node secondary) throws IOException {
        String name = "primary";
        Path control = settings.dir().resolve(name + ".sock");
        List<String> args = List.of("primary", "--guest", "kvstore", "--drive", drive(name), "--netdev",
                "user,hostfwd=udp:127.0.0.1:" + kvPort + "-:9000", "--secondary",
                "tcp:127.0.0.1:" + secondary.replicationPort(), "--control", "unix:" + control,
                "--checkpoint-interval", settings.checkpointInterval().toMillis() + "ms");
        return start(name, args, control, 0);
    }

    private Node start(String name, List<String> args, Path control, int port) throws IOException {
        Node node = new Node(name, TwinstepProcess.start(name, args, settings.dir(), line -> console.childLine(name, line)),
                control, port);
        synchronized (nodes) {
            nodes.add(node);
        }
        console.event("started " + name + " (pid " + node.process().pid() + "): twinstep " + String.join(" ", args));
        return node;
    }

    /** A fresh zeroed 64 MiB disk image of the node's own. */
    private String drive(String name) throws IOException {
        Path image = settings.dir().resolve(name + ".img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(0);
            file.setLength(DISK_BYTES);
        }
        return "file=" + image + ",format=raw,if=ide,index=0";
    }

    private String awaitLine(Node node, Predicate<String> match, Duration timeout, String what)
            throws DemoFailure, InterruptedException {
        String line = node.process().awaitLine(match, timeout);
        if (line == null) {
            throw new DemoFailure(node.name() + " did not " + what + (node.process().isAlive()
                    ? " within " + timeout.toSeconds() + " s" : ": it exited") + " (see " + logOf(node) + ")");
        }
        return line;
    }

    private void awaitGuestListening(Node node) throws DemoFailure, InterruptedException {
        Path out = settings.dir().resolve(node.name() + ".out");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                String serial = Files.readString(out, StandardCharsets.ISO_8859_1);
                int at = serial.indexOf("kvstore: listening");
                if (at >= 0) {
                    int end = serial.indexOf('\n', at);
                    console.event(node.name() + " guest says: " + serial.substring(at, end < 0 ? serial.length() : end).strip());
                    return;
                }
            } catch (IOException notYet) {
                // The file appears with the process.
            }
            if (System.nanoTime() > deadline || !node.process().isAlive()) {
                throw new DemoFailure("the kvstore guest on " + node.name() + " did not start listening (see " + out + ")");
            }
            Thread.sleep(50);
        }
    }

    /** Lets the load run, with a progress line every second. */
    private void runFor(long millis, DemoLoad load) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        long before = load.progress().acknowledged();
        while (true) {
            long left = (end - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.min(left, PROGRESS_MILLIS));
            long now = load.progress().acknowledged();
            ColoSnapshot status = lastPolled;
            String replication = !"protected".equals(status.mode()) ? status.mode()
                    : String.format("protected, %d checkpoints, pause median %.0f us", status.checkpoints(),
                    status.pauseMicros().p50());
            console.event(String.format("load: %d acknowledged (+%d); %s %s", now, now - before, serving.name(),
                    replication));
            before = now;
        }
    }

    private Thread startPoller() {
        Thread poller = new Thread(() -> {
            while (polling) {
                Node node = serving;
                ColoSnapshot status = query(node);
                if (status != ColoSnapshot.NONE && serving == node) {
                    lastPolled = status;
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "demo-colo-status");
        poller.setDaemon(true);
        poller.start();
        return poller;
    }

    /** The node's {@code query-colo-status}, or NONE when it cannot answer (not up yet, or dead). */
    private static ColoSnapshot query(Node node) {
        if (!node.process().isAlive() || !Files.exists(node.control())) {
            return ColoSnapshot.NONE;
        }
        try {
            return ColoSnapshot.from(ControlConnection.executeOnce(node.control(), "query-colo-status", Map.of()));
        } catch (IOException e) {
            return ColoSnapshot.NONE;
        }
    }

    private long randomMillis(Duration min, Duration max) {
        long lo = min.toMillis();
        long hi = max.toMillis();
        return hi <= lo ? lo : lo + random.nextLong(hi - lo + 1);
    }

    private Path logOf(Node node) {
        return settings.dir().resolve(node.name() + ".err");
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return socket.getLocalPort();
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
