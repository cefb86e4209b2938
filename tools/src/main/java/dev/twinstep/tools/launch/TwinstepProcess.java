package dev.twinstep.tools.launch;

import dev.twinstep.tools.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Another {@code twinstep} process started from this one (the failover demo's primary and
 * secondary; the tests' machines): the same Java, the same classpath and module flags, its stdout
 * (the guest's serial line) in a file, its stderr read line by line as it comes so a caller can wait
 * for an event and watch progress. {@link #kill()} is SIGKILL: the process gets no chance to tidy up.
 */
public final class TwinstepProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private TwinstepProcess(String name, Process process, Path stderrCopy, Consumer<String> onLine) throws IOException {
        this.name = name;
        this.process = process;
        PrintStream copy = new PrintStream(Files.newOutputStream(stderrCopy), true, StandardCharsets.UTF_8);
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    copy.println(line);
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                    onLine.accept(line);
                }
            } catch (IOException ended) {
                // The process is gone.
            } finally {
                copy.close();
                synchronized (lines) {
                    lines.notifyAll();
                }
            }
        }, "twinstep-child-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code twinstep ARGS...}; stdout goes to {@code dir/NAME.out}, stderr to
     * {@code dir/NAME.err} and to {@code onLine}.
     */
    public static TwinstepProcess start(String name, List<String> args, Path dir, Consumer<String> onLine) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(moduleFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile()).start();
        return new TwinstepProcess(name, process, dir.resolve(name + ".err"), onLine);
    }

    /**
     * The module and native-access flags this JVM runs with (from the launcher or surefire, both of
     * which take them from the parent pom), so the child needs nothing else.
     */
    static List<String> moduleFlags() {
        List<String> flags = new ArrayList<>();
        List<String> mine = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < mine.size(); i++) {
            String arg = mine.get(i);
            if (arg.startsWith("--add-exports") || arg.startsWith("--add-opens") || arg.startsWith("--enable-native-access")
                    || arg.startsWith("--sun-misc-unsafe-memory-access") || arg.startsWith("-XX:MaxDirectMemorySize")
                    || arg.startsWith("-Dagrona.")) {
                flags.add(arg);
                if (!arg.contains("=") && i + 1 < mine.size()) {
                    flags.add(mine.get(++i));
                }
            }
        }
        // What Agrona (jdk.internal.misc) and Chronicle Bytes (sun.nio.ch, jdk.internal.ref) need,
        // in case this JVM was started with fewer flags than the launcher passes.
        for (String module : List.of("jdk.internal.misc", "sun.nio.ch", "jdk.internal.ref")) {
            if (flags.stream().noneMatch(f -> f.contains("java.base/" + module + "="))) {
                flags.add("--add-exports=java.base/" + module + "=ALL-UNNAMED");
            }
        }
        return flags;
    }

    /** The name given at start. */
    public String name() {
        return name;
    }

    /** The operating-system process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The stderr lines so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Waits until a stderr line matches; returns it, or null at the timeout or when the process ended
     * without printing one.
     */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long wait = deadline - System.nanoTime();
                if (wait <= 0 || (!reader.isAlive() && seen == lines.size())) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(lines, Math.min(wait, 100_000_000L));
            }
        }
    }

    /** SIGKILL. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Waits for the exit status; null at the timeout. */
    public Integer waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        reader.join(1000);
        return process.exitValue();
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
