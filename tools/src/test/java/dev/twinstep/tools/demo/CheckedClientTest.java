package dev.twinstep.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.tools.kv.KvClient;
import dev.twinstep.tools.kv.KvLoad;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CheckedClientTest {
    private static final long CLIENT_ID = 0x5eed;
    private ScriptedKvService service;
    private KvClient kv;
    private CheckedClient client;

    @BeforeEach
    void start() throws Exception {
        service = new ScriptedKvService();
        kv = new KvClient(service.address(), CLIENT_ID, 1, 50, 20);
        client = new CheckedClient(kv, CLIENT_ID, 50, 20, new KvLoad.Mix(50, 50, 0, 0), new SplittableRandom(7),
                new DemoLoad.Progress());
    }

    @AfterEach
    void stop() throws Exception {
        kv.close();
        service.close();
    }

    private void steps(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            client.step();
        }
    }

    @Test
    void shouldFindNothingWrongWithAServiceThatAnswersResendsFromItsSavedReplies() throws Exception {
        service.dropEveryNth = 7;
        steps(200);
        client.verify();
        assertTrue(client.requestsRetried() > 0, "dropped replies must have caused resends");
        assertEquals(200, client.acknowledged());
        assertTrue(client.incrsAcknowledged() > 0);
        assertEquals(0, client.contradictions(), client.problems().toString());
        assertEquals(0, client.writesMissing(), client.problems().toString());
        assertEquals(0, client.countersWrong(), client.problems().toString());
        assertEquals(12, client.writesChecked() + client.countersChecked());
    }

    @Test
    void shouldContradictAnIncrThatAResendRanASecondTime() throws Exception {
        service.dropEveryNth = 5;
        service.executeResends = true;
        steps(100);
        assertTrue(client.contradictions() > 0, "an INCR counted twice must contradict the model");
        assertTrue(client.countersWrong() > 0, "and count against exactly-once");
    }

    @Test
    void shouldFindAcknowledgedWritesMissingWhenTheServiceForgetsThem() throws Exception {
        steps(100);
        service.forgetEverything();
        client.verify();
        assertTrue(client.writesMissing() > 0, "lost PUTs must be found");
        assertTrue(client.countersWrong() > 0, "lost INCRs must be found");
        assertTrue(client.problems().stream().anyMatch(p -> p.startsWith("write lost")), client.problems().toString());
    }
}
