package dev.twinstep.tools.demo;

import dev.twinstep.tools.kv.KvClient;
import dev.twinstep.tools.kv.KvLoad;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's checked load: one thread and one fresh client id per client, each sending INCR/PUT
 * (and optionally GET/DEL) requests one at a time and resending the same sequence number until it
 * is answered, from {@link #start} until {@link #stop}, which then reads every key back (as they
 * also do after each kill, on {@link #readBackSoon}).
 */
final class DemoLoad {
    /**
     * What to run.
     *
     * @param target        the kvstore service (the primary's forwarded UDP port)
     * @param clients       concurrent clients
     * @param mix           operation weights
     * @param timeoutMillis reply timeout of one attempt
     * @param attempts      sends of one request before it is given up (unresolved)
     * @param seed          seed of the operation choice
     */
    record Config(InetSocketAddress target, int clients, KvLoad.Mix mix, int timeoutMillis, int attempts, long seed) {
    }

    /** Live counters the clients update, for progress lines and for noticing the first answer after a kill. */
    static final class Progress {
        private final LongAdder acknowledged = new LongAdder();
        private final AtomicLong lastAnswerNanos = new AtomicLong();
        private final AtomicLong firstAnswerAfterMark = new AtomicLong();
        private volatile long markNanos = Long.MAX_VALUE;

        void answered(long nanos) {
            acknowledged.increment();
            lastAnswerNanos.accumulateAndGet(nanos, Math::max);
            if (nanos > markNanos) {
                firstAnswerAfterMark.compareAndSet(0, nanos);
            }
        }

        /** Answers so far. */
        long acknowledged() {
            return acknowledged.sum();
        }

        /** From now on, remember the first answer later than {@code nanos}. */
        void mark(long nanos) {
            firstAnswerAfterMark.set(0);
            markNanos = nanos;
        }

        /** The first answer later than the mark, or 0 while there is none. */
        long firstAnswerAfterMark() {
            return firstAnswerAfterMark.get();
        }
    }

    /**
     * The outcome, summed over the clients.
     *
     * @param requests          requests sent (each once, however many resends it took)
     * @param acknowledged      requests answered
     * @param requestsRetried   answered requests that needed at least one resend
     * @param resends           datagrams that were resends
     * @param unresolved        requests never answered (their keys left the model)
     * @param incrsAcknowledged INCRs answered with the expected counter
     * @param contradictions    replies that contradicted the model while the load ran
     * @param writesChecked     keys read back at the end
     * @param writesMissing     of those, keys without their last acknowledged value
     * @param countersChecked   counters read back at the end
     * @param countersWrong     INCR replies and counter reads that disagreed with the acknowledged INCRs
     * @param unverified        keys the final read could not get an answer for
     * @param problems          the first few problems, described
     * @param failures          clients that stopped on an error (not a timeout)
     * @param perClient         each client's answer times
     * @param all               every answer time
     */
    record Result(long requests, long acknowledged, long requestsRetried, long resends, long unresolved,
                  long incrsAcknowledged, long contradictions, long writesChecked, long writesMissing,
                  long countersChecked, long countersWrong, long unverified, List<String> problems,
                  List<String> failures, List<AnswerTimeline> perClient, AnswerTimeline all) {
    }

    private final Config config;
    private final Progress progress = new Progress();
    private final List<Thread> threads = new ArrayList<>();
    private final List<CheckedClient> clients = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private volatile boolean stopping;
    private volatile int readBacksRequested;

    DemoLoad(Config config) {
        this.config = config;
    }

    /** The live counters. */
    Progress progress() {
        return progress;
    }

    /** Starts the clients. */
    void start() throws IOException {
        SplittableRandom seeds = new SplittableRandom(config.seed());
        // Fresh ids every run, never from the seed: the guest remembers ids on its disk and would
        // answer a reused one STALE_SEQ.
        SecureRandom ids = new SecureRandom();
        for (int i = 0; i < config.clients(); i++) {
            long id = ids.nextLong();
            id = id == 0 ? 1 : id;
            KvClient kv = new KvClient(config.target(), id, 1, config.timeoutMillis(), config.attempts());
            CheckedClient client = new CheckedClient(kv, id, config.timeoutMillis(), config.attempts(), config.mix(),
                    seeds.split(), progress);
            clients.add(client);
            Thread thread = new Thread(() -> runClient(client), "demo-client-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.start();
        }
    }

    /**
     * Makes every client read its keys back once it has its current request answered: after a kill
     * that is the survivor's state before any newer write could overwrite a lost one.
     */
    void readBackSoon() {
        readBacksRequested++; // only the demo's thread writes it
    }

    private void runClient(CheckedClient client) {
        int readBacksDone = 0;
        try (KvClient kv = client.kvClient()) {
            while (!stopping) {
                client.step();
                int requested = readBacksRequested;
                if (requested != readBacksDone) {
                    readBacksDone = requested;
                    client.verify();
                }
            }
            client.verify();
        } catch (IOException | RuntimeException e) {
            synchronized (failures) {
                failures.add(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        }
    }

    /**
     * Lets each client finish the request it is on, read its keys back, and sums the outcome. A
     * client still waiting after {@code graceMillis} has its socket closed (it counts as failed).
     */
    Result stop(long graceMillis) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + graceMillis * 1_000_000L;
        for (int i = 0; i < threads.size(); i++) {
            Thread thread = threads.get(i);
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            if (thread.isAlive()) {
                clients.get(i).kvClient().close();
                thread.join(2000);
            }
        }
        long requests = 0, acknowledged = 0, retried = 0, resends = 0, unresolved = 0, incrs = 0, contradictions = 0;
        long writesChecked = 0, writesMissing = 0, countersChecked = 0, countersWrong = 0, unverified = 0;
        List<String> problems = new ArrayList<>();
        List<AnswerTimeline> timelines = new ArrayList<>();
        for (CheckedClient c : clients) {
            requests += c.requests();
            acknowledged += c.acknowledged();
            retried += c.requestsRetried();
            resends += c.kvClient().retries();
            unresolved += c.unresolved();
            incrs += c.incrsAcknowledged();
            contradictions += c.contradictions();
            writesChecked += c.writesChecked();
            writesMissing += c.writesMissing();
            countersChecked += c.countersChecked();
            countersWrong += c.countersWrong();
            unverified += c.unverified();
            problems.addAll(c.problems());
            timelines.add(c.timeline());
        }
        List<String> failed;
        synchronized (failures) {
            failed = List.copyOf(failures);
        }
        return new Result(requests, acknowledged, retried, resends, unresolved, incrs, contradictions, writesChecked,
                writesMissing, countersChecked, countersWrong, unverified, List.copyOf(problems), failed,
                List.copyOf(timelines), AnswerTimeline.merge(timelines));
    }
}
