package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.tools.control.ControlConnection;
import dev.twinstep.tools.colo.KvProcessHarness;
import dev.twinstep.tools.colo.KvWorkload;
import dev.twinstep.tools.launch.TwinstepProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live migration of the kvstore guest between two real {@code twinstep run} processes while
 * checked clients write to it: the {@code migrate} control command moves the guest and its host
 * port to the {@code --incoming} process, the source exits 0, the clients carry on at the same
 * address and every acknowledged write is still there. A destination of another shape is refused
 * and the source keeps serving.
 */
@Timeout(300)
class MigrationKvTest {
    private static final int CLIENTS = 4;
    private static final long ANSWERS = 200;
    private static final String GUEST_READY = "kvstore: listening on 10.0.2.15:9000";

    @TempDir
    Path dir;

    private KvProcessHarness harness;
    private KvWorkload load;
    private int hostPort;

    @BeforeEach
    void createHarness() throws Exception {
        harness = new KvProcessHarness(dir);
        hostPort = KvProcessHarness.freeUdpPort();
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (load != null) {
            load.stop();
        }
        harness.close();
    }

    @Test
    void shouldMoveTheKvstoreGuestUnderLoadWithoutLosingAnAcknowledgedWrite() throws Exception {
        int incomingPort = KvProcessHarness.freeTcpPort();
        TwinstepProcess source = startSource();
        TwinstepProcess destination = startDestination(incomingPort);
        startLoad();
        awaitMoreAnswers(ANSWERS, "before the migration");

        Map<String, Object> reply;
        try (ControlConnection control = harness.control("source")) {
            reply = control.reply("migrate", Map.of("uri", "tcp:127.0.0.1:" + incomingPort));
        }
        Map<?, ?> result = reply.get("return") instanceof Map<?, ?> r ? r : null;
        if (result == null) {
            throw harness.failure("migrate failed: " + reply);
        }
        assertEquals("completed", result.get("status"), () -> harness.failure("migrate replied " + reply).getMessage());
        double downtime = ((Number) result.get("downtime-ms")).doubleValue();
        assertTrue(downtime > 0, () -> "the stop-and-copy pause is never zero: " + reply);
        assertEquals(0, source.waitFor(KvProcessHarness.EVENT), () -> harness.failure("the source should exit 0").getMessage());
        assertTrue(KvProcessHarness.count(source, "migrated to tcp:127.0.0.1:" + incomingPort) == 1,
                () -> harness.failure("the source should say where its guest went").getMessage());
        harness.awaitLine(destination, "the guest runs here now", KvProcessHarness.EVENT);
        awaitMoreAnswers(ANSWERS, "after the migration");

        assertTrue(destination.isAlive(), () -> harness.failure("the destination stopped").getMessage());
        assertNothingLost();
        System.out.println("migration: " + result);
    }

    @Test
    void shouldRefuseADestinationWithAnotherRamSizeAndKeepServingOnTheSource() throws Exception {
        int incomingPort = KvProcessHarness.freeTcpPort();
        TwinstepProcess source = startSource();
        TwinstepProcess destination = startDestination(incomingPort, "--memory", "64M");
        startLoad();
        awaitMoreAnswers(ANSWERS / 4, "before the migration");

        Map<String, Object> reply;
        try (ControlConnection control = harness.control("source")) {
            reply = control.reply("migrate", Map.of("uri", "tcp:127.0.0.1:" + incomingPort));
            String error = String.valueOf(reply.get("error"));
            assertTrue(error.contains("machines differ") && error.contains("ram=67108864") && error.contains("runs on here"),
                    () -> harness.failure("expected a refusal naming the RAM sizes, got " + reply).getMessage());
            awaitMoreAnswers(ANSWERS / 4, "after the refused migration");
            assertEquals("failed", control.execute("query-migrate", Map.of()).get("status"),
                    () -> harness.failure("query-migrate should report the failure").getMessage());
        }
        assertTrue(source.isAlive(), () -> harness.failure("the source must keep running").getMessage());
        Integer status = destination.waitFor(KvProcessHarness.EVENT);
        assertNotEquals(null, status, () -> harness.failure("the refused destination should end").getMessage());
        assertNotEquals(0, status, () -> harness.failure("the refused destination should fail").getMessage());
        assertEquals(1, KvProcessHarness.count(destination, "machines differ"),
                () -> harness.failure("the destination should say why").getMessage());
        assertNothingLost();
    }

    private TwinstepProcess startSource() throws Exception {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(KvProcessHarness.kvstoreOptions(harness.newDisk("source"), hostPort));
        args.addAll(List.of("--control", "unix:" + harness.controlSocket("source")));
        TwinstepProcess source = harness.start("source", args);
        harness.awaitGuestOutput(source, GUEST_READY, KvProcessHarness.START_UP);
        return source;
    }

    /** A destination with the source's options, its own disk, and {@code extra} options. */
    private TwinstepProcess startDestination(int incomingPort, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(KvProcessHarness.kvstoreOptions(harness.newDisk("destination"), hostPort));
        args.addAll(List.of("--incoming", "tcp:127.0.0.1:" + incomingPort));
        args.addAll(List.of(extra));
        TwinstepProcess destination = harness.start("destination", args);
        harness.awaitLine(destination, "waiting for an incoming migration", KvProcessHarness.START_UP);
        return destination;
    }

    private void startLoad() {
        load = new KvWorkload(KvProcessHarness.service(hostPort), CLIENTS, 200, 100);
        load.start();
    }

    private void awaitMoreAnswers(long more, String when) throws InterruptedException {
        long from = load.acknowledged();
        if (!load.awaitAcknowledged(from + more, KvProcessHarness.START_UP)) {
            throw harness.failure("the clients got " + (load.acknowledged() - from) + " answers " + when
                    + " instead of at least " + more);
        }
    }

    private void assertNothingLost() throws Exception {
        KvWorkload finished = load;
        load = null;
        finished.assertNothingLost(harness::diagnostics);
    }
}
