package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.benchmarks.BenchmarkMain;
import dev.twinstep.colo.wire.ReplicationAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link SecondaryMain} in another JVM (same Java, class path and Twinstep flags) and talks
 * to it through its standard output. Its standard error is this JVM's, so its few log lines show in
 * the benchmark output.
 */
final class SecondaryProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final ReplicationAddress address;

    private SecondaryProcess(Process process) throws IOException {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = expectLine("listening ");
        this.address = new ReplicationAddress("127.0.0.1", Integer.parseInt(line.substring("listening ".length())));
    }

    /** Starts a secondary for a {@link CheckpointPc} with {@code ramMiB} of RAM and waits until it listens. */
    static SecondaryProcess start(int ramMiB) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BenchmarkMain.twinstepJvmFlags());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SecondaryMain.class.getName());
        command.add(Integer.toString(ramMiB));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            return new SecondaryProcess(process);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Where the secondary accepts its primary. */
    ReplicationAddress address() {
        return address;
    }

    /**
     * After the primary sent guest-shutdown: the CRC32C of the secondary's RAM as it reported it on
     * its way out.
     */
    long ramChecksum() throws IOException {
        String line = expectLine("ram-crc32c ");
        return Long.parseUnsignedLong(line.substring("ram-crc32c ".length()), 16);
    }

    private String expectLine(String prefix) throws IOException {
        String line = out.readLine();
        if (line == null || !line.startsWith(prefix)) {
            throw new IOException("the benchmark's secondary process said " + (line == null ? "nothing" : "'" + line + "'")
                    + " where '" + prefix + "...' was expected (see its standard error above)");
        }
        return line;
    }

    /**
     * Closes the secondary's standard input, which ends it if it has not ended yet, and waits a
     * little before killing it.
     */
    @Override
    public void close() throws IOException {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            out.close();
        }
    }
}
