package dev.twinstep.tools.colo;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.tools.launch.TwinstepProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * The verdict the failover tests rest on, tried on outages whose outcome is known: a kvstore guest
 * killed and booted again on its own disk (every change was flushed before its reply) loses
 * nothing, and one booted on an empty disk loses everything, which the checker must see.
 */
@Timeout(300)
class KvWorkloadTest {
    private static final String GUEST_READY = "kvstore: listening on 10.0.2.15:9000";
    private static final long ANSWERS = 100;

    @TempDir
    Path dir;

    private KvProcessHarness harness;
    private KvWorkload load;
    private int hostPort;

    @BeforeEach
    void createHarness() throws Exception {
        harness = new KvProcessHarness(dir);
        hostPort = KvProcessHarness.freeUdpPort();
        load = new KvWorkload(KvProcessHarness.service(hostPort), 4, 200, 100);
    }

    @AfterEach
    void stopEverything() throws Exception {
        load.stop();
        harness.close();
    }

    @Test
    void shouldFindNothingLostWhenTheServiceRestartsFromItsOwnDisk() throws Exception {
        Path disk = harness.newDisk("store");
        TwinstepProcess first = boot("first", disk);
        load.start();
        awaitMoreAnswers(ANSWERS);

        first.kill();
        first.waitFor(KvProcessHarness.EVENT);
        boot("second", disk);
        awaitMoreAnswers(ANSWERS);

        load.assertNothingLost(harness::diagnostics);
    }

    @Test
    void shouldReportLostWritesWhenTheServiceRestartsFromAnEmptyDisk() throws Exception {
        TwinstepProcess first = boot("first", harness.newDisk("store"));
        load.start();
        awaitMoreAnswers(ANSWERS);

        first.kill();
        first.waitFor(KvProcessHarness.EVENT);
        boot("second", harness.newDisk("empty"));
        awaitMoreAnswers(4);

        AssertionFailedError verdict = assertThrows(AssertionFailedError.class,
                () -> load.assertNothingLost(harness::diagnostics));
        assertTrue(verdict.getMessage().contains("contradicted") || verdict.getMessage().contains("missing"),
                verdict::getMessage);
    }

    private TwinstepProcess boot(String name, Path disk) throws Exception {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(KvProcessHarness.kvstoreOptions(disk, hostPort));
        TwinstepProcess process = harness.start(name, args);
        harness.awaitGuestOutput(process, GUEST_READY, KvProcessHarness.START_UP);
        return process;
    }

    private void awaitMoreAnswers(long more) throws InterruptedException {
        long from = load.acknowledged();
        if (!load.awaitAcknowledged(from + more, KvProcessHarness.START_UP)) {
            throw harness.failure("the clients got " + (load.acknowledged() - from) + " answers instead of " + more);
        }
    }
}
