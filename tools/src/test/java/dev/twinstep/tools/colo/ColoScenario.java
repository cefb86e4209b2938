package dev.twinstep.tools.colo;

import dev.twinstep.tools.launch.TwinstepProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One COLO failover scenario as a user runs it: a secondary, a primary running kvstore under the
 * checked kv load, then whatever the test breaks, then the verdict: the clients carried on and every
 * acknowledged write is still there. Owns the harness and the load; {@link #close()} ends both.
 */
final class ColoScenario implements AutoCloseable {
    /** Clients of the load: several ids at once, each waiting for a checkpoint per answer. */
    static final int CLIENTS = 6;
    /** Answers the clients must get before the fault, and again after it. */
    static final long ANSWERS = 60;
    /** Per-attempt reply timeout and attempts: a request survives a 20 s outage. */
    private static final int TIMEOUT_MILLIS = 200;
    private static final int ATTEMPTS = 100;
    private static final String FAILOVER_TIMEOUT_OPTION = "--failover-timeout";
    private static final String FAILOVER_TIMEOUT = "1s";

    final KvProcessHarness harness;
    final int hostPort;
    final int replicationPort;
    private KvWorkload load;
    private boolean stopped;

    ColoScenario(Path dir) throws IOException {
        this.harness = new KvProcessHarness(dir);
        this.hostPort = KvProcessHarness.freeUdpPort();
        this.replicationPort = KvProcessHarness.freeTcpPort();
    }

    /**
     * Starts secondary NAME on this scenario's replication port. A kill is seen at once as a closed
     * connection; the silence timeout only guards against a false alarm when a starved CI machine
     * stalls a process, so it is raised from 200 ms on both ends.
     */
    TwinstepProcess startSecondary(String name) throws IOException, InterruptedException {
        return startSecondary(name, replicationPort);
    }

    /** Starts secondary NAME on another replication port (for {@code colo-protect}). */
    TwinstepProcess startSecondary(String name, int port) throws IOException, InterruptedException {
        return harness.startSecondary(name, port, FAILOVER_TIMEOUT_OPTION, FAILOVER_TIMEOUT);
    }

    /**
     * Starts the primary (with {@code extra} options), waits until it is protected and its guest
     * serves, then starts the load.
     */
    TwinstepProcess startProtectedPrimary(String... extra) throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(List.of(FAILOVER_TIMEOUT_OPTION, FAILOVER_TIMEOUT));
        options.addAll(Arrays.asList(extra));
        TwinstepProcess primary = harness.startPrimary("primary", hostPort, replicationPort, options.toArray(String[]::new));
        harness.awaitLine(primary, "colo primary: protected:", KvProcessHarness.START_UP);
        harness.awaitGuestOutput(primary, "kvstore: listening on 10.0.2.15:9000", KvProcessHarness.START_UP);
        load = new KvWorkload(KvProcessHarness.service(hostPort), CLIENTS, TIMEOUT_MILLIS, ATTEMPTS);
        load.start();
        return primary;
    }

    /** Answers the clients have had so far. */
    long answers() {
        return load.acknowledged();
    }

    /** {@code message} and the tail of every child's logs, for an assertion's message. */
    String failureText(String message) {
        return harness.failure(message).getMessage();
    }

    /** Waits until the clients have had {@code more} answers beyond those so far. */
    void awaitMoreAnswers(long more, String when) throws InterruptedException {
        long from = load.acknowledged();
        if (!load.awaitAcknowledged(from + more, KvProcessHarness.START_UP)) {
            throw harness.failure("the clients got " + (load.acknowledged() - from) + " answers " + when
                    + " instead of at least " + more);
        }
    }

    /** SIGKILLs the primary and waits until {@code secondary} has taken over; returns its take-over line. */
    String killPrimaryAndAwaitTakeOver(TwinstepProcess primary, TwinstepProcess secondary) throws InterruptedException {
        primary.kill();
        String takeOver = harness.awaitLine(secondary, "TAKING OVER", KvProcessHarness.EVENT);
        harness.awaitLine(secondary, "network endpoint taken over", KvProcessHarness.EVENT);
        return takeOver;
    }

    /** The epoch number a take-over line says the guest resumed from. */
    static long resumedFrom(String takeOverLine) {
        String marker = "resuming the guest from checkpoint ";
        int at = takeOverLine.indexOf(marker);
        if (at < 0) {
            throw new AssertionError("not a take-over line: " + takeOverLine);
        }
        return Long.parseLong(takeOverLine.substring(at + marker.length()).trim());
    }

    /** Stops the load and checks that nothing acknowledged was lost: see {@link KvWorkload#assertNothingLost}. */
    void assertNothingLost() throws IOException, InterruptedException {
        stopped = true;
        load.assertNothingLost(harness::diagnostics);
    }

    @Override
    public void close() throws InterruptedException {
        if (load != null && !stopped) {
            load.stop();
        }
        harness.close();
    }
}
