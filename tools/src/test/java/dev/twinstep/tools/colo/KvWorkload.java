package dev.twinstep.tools.colo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinstep.tools.kv.KvClient;
import dev.twinstep.tools.kv.KvProtocol.Status;
import dev.twinstep.tools.kv.KvReply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kv client load of the failover and migration tests, with the model kept for a final
 * read-back: several clients (one thread and a fresh random client id each) send INCR and PUT on
 * keys of their own, retrying each request with the same sequence number, and check every answer
 * against their model (an INCR must answer the number of acknowledged INCRs of that counter). After
 * {@link #stop()}, {@link #readBack()} reads every key again with a new client id: every
 * acknowledged PUT must be there with its last acknowledged value and every counter must equal the
 * number of acknowledged INCRs. A request given up after all attempts may or may not have run, so
 * its key leaves the check (and is counted as a timeout, which the tests also assert on).
 */
public final class KvWorkload {
    private static final int COUNTERS = 4;
    private static final int PUT_KEYS = 6;
    /** Keys each client writes, all of them read back. */
    public static final int KEYS_PER_CLIENT = COUNTERS + PUT_KEYS;
    private static final int INCR_PERCENT = 60;
    private static final int MAX_PROBLEMS = 20;

    private final InetSocketAddress target;
    private final int timeoutMillis;
    private final int attempts;
    private final List<Worker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;

    /**
     * What the load saw.
     *
     * @param acknowledged     requests answered
     * @param incrAcknowledged INCRs answered
     * @param putAcknowledged  PUTs answered
     * @param retries          datagrams that were resends of an unanswered request
     * @param timeouts         requests given up after every attempt
     * @param contradictions   answers that disagree with the model
     * @param failedClients    clients that stopped on an error or did not finish their last request
     * @param maxLatencyMillis the longest first-send-to-reply time of one request: the gap a client saw
     * @param problems         the first few contradictions and failures, described
     */
    public record Result(long acknowledged, long incrAcknowledged, long putAcknowledged, long retries, long timeouts,
                         long contradictions, long failedClients, long maxLatencyMillis, List<String> problems) {
        @Override
        public String toString() {
            return "acknowledged " + acknowledged + " (INCR " + incrAcknowledged + ", PUT " + putAcknowledged
                    + "), retries " + retries + ", timeouts " + timeouts + ", contradictions " + contradictions
                    + ", failed clients " + failedClients
                    + ", longest request " + maxLatencyMillis + " ms" + (problems.isEmpty() ? "" : ", " + problems);
        }
    }

    /**
     * The final read-back.
     *
     * @param keysChecked        keys whose value the model knows, all read
     * @param keysUnknown        keys left out because a request on them was given up
     * @param incrementsVerified the sum of the counters read, equal to the acknowledged INCRs when all is well
     * @param mismatches         keys whose value differs from the model, described
     */
    public record ReadBack(int keysChecked, int keysUnknown, long incrementsVerified, List<String> mismatches) {
    }

    /**
     * A load of {@code clients} clients against {@code target}, each attempt waiting
     * {@code timeoutMillis} for its reply, {@code attempts} sends per request.
     */
    public KvWorkload(InetSocketAddress target, int clients, int timeoutMillis, int attempts) {
        this.target = target;
        this.timeoutMillis = timeoutMillis;
        this.attempts = attempts;
        SecureRandom ids = new SecureRandom();
        for (int i = 0; i < clients; i++) {
            long id = ids.nextLong();
            workers.add(new Worker(id == 0 ? 1 : id, new SplittableRandom(ids.nextLong())));
        }
    }

    /** Starts every client. */
    public void start() {
        for (Worker worker : workers) {
            Thread thread = new Thread(worker, "kv-client-" + Long.toHexString(worker.clientId));
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Requests answered so far. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Waits until at least {@code count} requests have been answered; false at the timeout. */
    public boolean awaitAcknowledged(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acknowledged.get() < count) {
            if (System.nanoTime() > deadline || threads.stream().noneMatch(Thread::isAlive)) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Lets each client finish its current request (with its retries), then sums up. */
    public Result stop() throws InterruptedException {
        stopping = true;
        long joinMillis = (long) timeoutMillis * attempts + 10_000;
        for (Thread thread : threads) {
            thread.join(joinMillis);
            if (thread.isAlive()) {
                problems.add(thread.getName() + " did not finish its request within " + joinMillis + " ms");
                thread.interrupt();
            }
        }
        long incr = 0, put = 0, retries = 0, timeouts = 0, contradictions = 0, failed = 0, maxLatency = 0;
        for (Worker w : workers) {
            incr += w.incrAcknowledged;
            put += w.putAcknowledged;
            retries += w.retries;
            timeouts += w.timeouts;
            contradictions += w.contradictions;
            failed += w.failed || !w.finished ? 1 : 0;
            maxLatency = Math.max(maxLatency, w.maxLatencyNanos / 1_000_000L);
        }
        List<String> firstProblems;
        synchronized (problems) {
            firstProblems = List.copyOf(problems.subList(0, Math.min(MAX_PROBLEMS, problems.size())));
        }
        return new Result(acknowledged.get(), incr, put, retries, timeouts, contradictions, failed, maxLatency,
                firstProblems);
    }

    /** Reads every key the model knows with a fresh client id (call after {@link #stop()}). */
    public ReadBack readBack() throws IOException {
        long readerId = new SecureRandom().nextLong() | 1;
        int checked = 0, unknown = 0;
        long increments = 0;
        List<String> mismatches = new ArrayList<>();
        try (KvClient reader = new KvClient(target, readerId, 1, timeoutMillis, attempts)) {
            for (Worker w : workers) {
                for (int k = 0; k < COUNTERS; k++) {
                    if (!w.counterKnown[k]) {
                        unknown++;
                        continue;
                    }
                    checked++;
                    KvReply reply = reader.get(w.counterKey(k));
                    long expected = w.counterModel[k];
                    boolean right = expected == 0 ? reply.status() == Status.NOT_FOUND
                            : reply.status() == Status.OK && reply.value().length == 8 && reply.counter() == expected;
                    if (right) {
                        increments += expected;
                    } else {
                        mismatches.add(w.counterKey(k) + ": expected " + expected + " acknowledged INCRs, read "
                                + describe(reply));
                    }
                }
                for (int k = 0; k < PUT_KEYS; k++) {
                    if (!w.putKnown[k]) {
                        unknown++;
                        continue;
                    }
                    checked++;
                    KvReply reply = reader.get(w.putKey(k));
                    byte[] expected = w.putModel[k];
                    boolean right = expected == null ? reply.status() == Status.NOT_FOUND
                            : reply.status() == Status.OK && Arrays.equals(reply.value(), expected);
                    if (!right) {
                        mismatches.add(w.putKey(k) + ": expected "
                                + (expected == null ? "NOT_FOUND" : "'" + new String(expected, StandardCharsets.UTF_8) + "'")
                                + ", read " + describe(reply));
                    }
                }
            }
        }
        return new ReadBack(checked, unknown, increments, mismatches);
    }

    /**
     * Stops the load and checks it: no answer contradicted the model, no request was given up, and
     * reading every key back finds every acknowledged PUT and exactly the acknowledged INCRs.
     * {@code diagnostics} (the children's log tails) goes into any failure message.
     */
    public void assertNothingLost(Supplier<String> diagnostics) throws IOException, InterruptedException {
        Result result = stop();
        ReadBack back = readBack();
        System.out.println("kv load: " + result + "; read back " + back.keysChecked() + " keys, "
                + back.incrementsVerified() + " increments");
        Supplier<String> context = () -> "load: " + result + "; read-back: " + back + System.lineSeparator()
                + diagnostics.get();
        assertEquals(0, result.contradictions(), () -> "answers contradicted the model; " + context.get());
        assertEquals(0, result.failedClients(), () -> "clients failed; " + context.get());
        assertEquals(0, result.timeouts(), () -> "requests were given up; " + context.get());
        assertEquals(List.of(), back.mismatches(), () -> "acknowledged writes are missing; " + context.get());
        assertEquals(0, back.keysUnknown(), context);
        assertEquals(workers.size() * KEYS_PER_CLIENT, back.keysChecked(), context);
        assertEquals(result.incrAcknowledged(), back.incrementsVerified(),
                () -> "the counters do not add up to the acknowledged INCRs; " + context.get());
    }

    private static String describe(KvReply reply) {
        if (reply.status() != Status.OK) {
            return reply.status().toString();
        }
        return reply.value().length == 8 ? "counter " + reply.counter()
                : "'" + new String(reply.value(), StandardCharsets.UTF_8) + "'";
    }

    /* One client id: its keys, the model of their values and its counters (read after its thread ended). */
    private final class Worker implements Runnable {
        private final long clientId;
        private final SplittableRandom random;
        private final String prefix;
        private final long[] counterModel = new long[COUNTERS];
        private final boolean[] counterKnown = new boolean[COUNTERS];
        private final byte[][] putModel = new byte[PUT_KEYS][];
        private final boolean[] putKnown = new boolean[PUT_KEYS];
        private long incrAcknowledged, putAcknowledged, retries, timeouts, contradictions, maxLatencyNanos;
        private volatile boolean finished;
        private boolean failed;
        private long putCount;

        Worker(long clientId, SplittableRandom random) {
            this.clientId = clientId;
            this.random = random;
            this.prefix = Long.toHexString(clientId);
            Arrays.fill(counterKnown, true); // new keys: absent is known
            Arrays.fill(putKnown, true);
        }

        String counterKey(int k) {
            return prefix + "-c" + k;
        }

        String putKey(int k) {
            return prefix + "-k" + k;
        }

        @Override
        public void run() {
            try (KvClient client = new KvClient(target, clientId, 1, timeoutMillis, attempts)) {
                while (!stopping) {
                    if (random.nextInt(100) < INCR_PERCENT) {
                        incr(client, random.nextInt(COUNTERS));
                    } else {
                        put(client, random.nextInt(PUT_KEYS));
                    }
                    maxLatencyNanos = Math.max(maxLatencyNanos, client.lastLatencyNanos());
                }
                retries = client.retries();
                timeouts = client.timeouts();
            } catch (IOException | RuntimeException e) {
                failed = true;
                problems.add("client " + prefix + " failed: " + e);
            } finally {
                finished = true;
            }
        }

        private void incr(KvClient client, int k) throws IOException {
            KvReply reply;
            try {
                reply = client.incr(counterKey(k), 1);
            } catch (KvClient.KvTimeoutException e) {
                counterKnown[k] = false;
                return;
            }
            acknowledged.incrementAndGet();
            incrAcknowledged++;
            long expected = counterModel[k] + 1;
            if (reply.status() != Status.OK || reply.value().length != 8 || reply.counter() != expected) {
                contradict(reply + " " + describe(reply) + ": expected counter " + expected);
                counterKnown[k] = false;
            }
            counterModel[k] = expected;
        }

        private void put(KvClient client, int k) throws IOException {
            byte[] value = (prefix + "/" + ++putCount).getBytes(StandardCharsets.UTF_8); // never repeats: a stale value shows
            KvReply reply;
            try {
                reply = client.put(putKey(k), value);
            } catch (KvClient.KvTimeoutException e) {
                putKnown[k] = false;
                return;
            }
            acknowledged.incrementAndGet();
            putAcknowledged++;
            if (reply.status() != Status.OK) {
                contradict(reply + ": expected OK");
                putKnown[k] = false;
            }
            putModel[k] = value;
        }

        private void contradict(String problem) {
            contradictions++;
            problems.add(problem);
        }
    }
}
