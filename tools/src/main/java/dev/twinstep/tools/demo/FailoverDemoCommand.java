package dev.twinstep.tools.demo;

import dev.twinstep.tools.kv.KvClientCommand.DurationConverter;
import dev.twinstep.tools.kv.KvLoad;
import java.io.IOException;
import dev.twinstep.tools.VersionProvider;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code twinstep demo failover}: a COLO secondary and primary running the kvstore guest, a checked
 * client load, SIGKILL of the primary at a random moment (repeated with re-protection for
 * {@code --kills N}), live narration, then the report and the consistency verdict. Exit status 0 on
 * PASS, 1 on FAIL, 2 for bad options.
 */
@Command(name = "failover", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Kill a COLO primary under a kv client load and show that the secondary takes over "
                + "without losing an acknowledged write.",
        footer = {"", "Exit status: 0 PASS, 1 FAIL (logs kept in the work directory), 2 bad options.%n"})
final class FailoverDemoCommand implements Callable<Integer> {
    /** Exit status when the consistency check (or the demo itself) failed. */
    static final int FAIL = 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--clients", defaultValue = "4", description = "Concurrent kv clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--kills", paramLabel = "N", defaultValue = "1",
            description = "Kill and take-over cycles; after each but the last the survivor is protected by a new "
                    + "secondary (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--kill-after", paramLabel = "MIN-MAX", defaultValue = "2s-6s",
            description = "The random time of protected load before each kill (default: ${DEFAULT-VALUE}).")
    String killAfter;

    @Option(names = "--after-kill", paramLabel = "TIME", defaultValue = "3s", converter = DurationConverter.class,
            description = "How long the load goes on after the last take-over (default: ${DEFAULT-VALUE}).")
    Duration afterKill;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of the kill moments and the operation mix; 0 picks one from the clock.")
    long seed;

    @Option(names = "--checkpoint-interval", paramLabel = "TIME", defaultValue = "100ms",
            converter = DurationConverter.class, description = "The primary's checkpoint interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--mix", defaultValue = "incr=60,put=40",
            description = "Operation weights, incr/put/get/del (default: ${DEFAULT-VALUE}).")
    String mix;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "200ms", converter = DurationConverter.class,
            description = "Client reply timeout per attempt (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--retries", defaultValue = "100",
            description = "Resends of a request (same seq) before it is given up (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Keep disks, sockets and logs here (default: a temporary directory, removed unless the demo fails).")
    Path dir;

    @Option(names = "--json", description = "Print the report as JSON on stdout (the live lines go to stderr).")
    boolean json;

    private final OutputStream stdout;
    private final PrintStream stderr;

    FailoverDemoCommand(OutputStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() throws Exception {
        FailoverDemo.Settings settings = settings();
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        DemoConsole console = new DemoConsole(json ? stderr : out);
        console.event("failover demo, seed " + settings.seed() + ", work directory " + settings.dir());
        FailoverDemo.Outcome outcome = new FailoverDemo(settings, console).run();
        DemoReport report = new DemoReport(settings, outcome);
        boolean remove = dir == null && report.passed();
        if (remove) {
            deleteTree(settings.dir());
        }
        String dirNote = remove ? "work directory removed" : "logs in " + settings.dir();
        out.print(json ? report.json(dirNote) + System.lineSeparator() : report.text(dirNote));
        out.flush();
        return report.passed() ? 0 : FAIL;
    }

    private FailoverDemo.Settings settings() throws IOException {
        if (clients < 1 || clients > 64) {
            throw bad("--clients must be between 1 and 64");
        }
        if (kills < 1 || kills > 20) {
            throw bad("--kills must be between 1 and 20");
        }
        if (retries < 0 || timeout.isZero() || checkpointInterval.isZero()) {
            throw bad("--retries must be >= 0, --timeout and --checkpoint-interval > 0");
        }
        Duration[] window = killWindow();
        KvLoad.Mix weights;
        try {
            weights = KvLoad.Mix.parse(mix);
        } catch (IllegalArgumentException e) {
            throw bad("--mix: " + e.getMessage());
        }
        if (weights.incr() == 0 || weights.put() == 0) {
            throw bad("--mix: the demo needs both incr and put weights above 0");
        }
        Path work;
        if (dir != null) {
            Files.createDirectories(dir);
            work = dir.toAbsolutePath();
        } else {
            work = Files.createTempDirectory("twinstep-demo-");
        }
        long effectiveSeed = seed != 0 ? seed : System.nanoTime() | 1;
        return new FailoverDemo.Settings(clients, kills, effectiveSeed, window[0], window[1], afterKill,
                checkpointInterval, weights, timeout, retries + 1, work);
    }

    private Duration[] killWindow() {
        DurationConverter converter = new DurationConverter();
        String[] parts = killAfter.split("-", -1);
        try {
            Duration min = converter.convert(parts[0]);
            Duration max = parts.length == 2 ? converter.convert(parts[1]) : min;
            if (parts.length > 2 || max.compareTo(min) < 0 || min.isZero()) {
                throw bad("--kill-after: expected MIN-MAX with 0 < MIN <= MAX, like 2s-6s, got '" + killAfter + "'");
            }
            return new Duration[] {min, max};
        } catch (IllegalArgumentException e) {
            throw bad("--kill-after: " + e.getMessage());
        }
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temporary directory left behind is harmless.
        }
    }
}
