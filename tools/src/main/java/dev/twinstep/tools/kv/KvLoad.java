package dev.twinstep.tools.kv;

import dev.twinstep.tools.kv.KvProtocol.Op;
import dev.twinstep.tools.kv.KvProtocol.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * A checked load: several clients (one thread and one client id each) send a mix of operations
 * on keys of their own, so every answer is predictable from a model of that client's keys. INCR
 * answers must equal the number of acknowledged INCRs plus one exactly (a retried INCR that ran
 * twice shows up at once). A request that times out after all attempts may or may not have run,
 * so its key leaves the model (a counter is replaced by a fresh one).
 */
public final class KvLoad {
    private static final int COUNTERS = 4;
    private static final int PUT_KEYS = 8;
    private static final int MAX_REPORTED = 20;

    /**
     * What to run.
     *
     * @param target        the service
     * @param clients       concurrent clients
     * @param requests      requests per client, or 0 to run for {@code duration}
     * @param duration      how long to run when {@code requests} is 0
     * @param timeoutMillis per-attempt reply timeout
     * @param attempts      sends per request
     * @param mix           weights of INCR, PUT, GET and DEL
     * @param seed          random seed of the operation choice (client ids are always fresh)
     */
    public record Config(InetSocketAddress target, int clients, long requests, Duration duration, int timeoutMillis,
                         int attempts, Mix mix, long seed) {
    }

    /** Relative weights of the operations. */
    public record Mix(int incr, int put, int get, int del) {
        /** Parses {@code incr=50,put=35,get=10,del=5}; names left out weigh 0. */
        public static Mix parse(String text) {
            int[] w = new int[4];
            for (String part : text.split(",")) {
                String[] kv = part.trim().split("=");
                if (kv.length != 2) {
                    throw new IllegalArgumentException("expected op=weight, got '" + part + "'");
                }
                int weight = Integer.parseInt(kv[1].trim());
                if (weight < 0) {
                    throw new IllegalArgumentException("weights cannot be negative: " + part);
                }
                switch (kv[0].trim().toLowerCase()) {
                    case "incr" -> w[0] = weight;
                    case "put" -> w[1] = weight;
                    case "get" -> w[2] = weight;
                    case "del" -> w[3] = weight;
                    default -> throw new IllegalArgumentException("unknown operation '" + kv[0] + "'");
                }
            }
            if (w[0] + w[1] + w[2] + w[3] == 0) {
                throw new IllegalArgumentException("at least one weight must be positive");
            }
            return new Mix(w[0], w[1], w[2], w[3]);
        }

        Op pick(SplittableRandom random) {
            int r = random.nextInt(incr + put + get + del);
            if (r < incr) {
                return Op.INCR;
            }
            if (r < incr + put) {
                return Op.PUT;
            }
            return r < incr + put + get ? Op.GET : Op.DEL;
        }
    }

    /**
     * The outcome.
     *
     * @param sent           datagrams sent (with retries)
     * @param acknowledged   requests answered
     * @param retried        datagrams that were retries
     * @param timeouts       requests given up
     * @param contradictions answers that contradict the model
     * @param problems       the first few contradictions, described
     * @param latency        first send to reply of every answered request, in microseconds
     * @param elapsed        wall time of the run
     */
    public record Report(long sent, long acknowledged, long retried, long timeouts, long contradictions,
                         List<String> problems, Histogram latency, Duration elapsed) {
        /** Answered requests per second. */
        public double requestsPerSecond() {
            return elapsed.isZero() ? 0 : acknowledged / (elapsed.toNanos() / 1e9);
        }

        /** The summary the kv-client command prints. */
        public String summary() {
            StringBuilder out = new StringBuilder();
            out.append(String.format("sent %d, acknowledged %d, retried %d, timeouts %d, contradictions %d%n", sent,
                    acknowledged, retried, timeouts, contradictions));
            out.append(String.format("elapsed %.3f s, %.0f requests/s%n", elapsed.toNanos() / 1e9,
                    requestsPerSecond()));
            if (latency.getTotalCount() > 0) {
                out.append(String.format("latency us: median %d, p99 %d, max %d%n",
                        latency.getValueAtPercentile(50), latency.getValueAtPercentile(99), latency.getMaxValue()));
            }
            for (String problem : problems) {
                out.append("contradiction: ").append(problem).append(System.lineSeparator());
            }
            return out.toString();
        }
    }

    /** A client of the load could not go on (not a timeout: those are counted). */
    public static final class KvLoadException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KvLoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private KvLoad() {
    }

    /** Runs the load and the final check of every counter still in the model. */
    public static Report run(Config config) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(config.clients());
        SplittableRandom seeds = new SplittableRandom(config.seed());
        long start = System.nanoTime();
        long deadline = config.requests() > 0 ? Long.MAX_VALUE : start + config.duration().toNanos();
        List<Future<Worker>> futures = new ArrayList<>();
        // Ids are never derived from the seed: a rerun with the same seed must not reuse ids that
        // the service remembers (it would answer STALE_SEQ).
        SecureRandom ids = new SecureRandom();
        for (int i = 0; i < config.clients(); i++) {
            long id = ids.nextLong();
            Worker worker = new Worker(config, seeds.split(), deadline, id == 0 ? 1 : id);
            futures.add(pool.submit(() -> {
                worker.run();
                return worker;
            }));
        }
        pool.shutdown();
        long sent = 0, acknowledged = 0, retried = 0, timeouts = 0, contradictions = 0;
        List<String> problems = new ArrayList<>();
        Histogram latency = new Histogram(3);
        for (Future<Worker> future : futures) {
            Worker w;
            try {
                w = future.get();
            } catch (java.util.concurrent.ExecutionException e) {
                pool.shutdownNow();
                Throwable cause = e.getCause();
                throw new KvLoadException("a client failed: " + (cause.getMessage() == null ? cause.toString()
                        : cause.getMessage()), cause);
            }
            sent += w.sent;
            acknowledged += w.acknowledged;
            retried += w.retried;
            timeouts += w.timeouts;
            contradictions += w.contradictions;
            for (String p : w.problems) {
                if (problems.size() < MAX_REPORTED) {
                    problems.add(p);
                }
            }
            latency.add(w.latency);
        }
        return new Report(sent, acknowledged, retried, timeouts, contradictions, List.copyOf(problems), latency,
                Duration.ofNanos(System.nanoTime() - start));
    }

    /* One client: its id, its keys and the model of their values. */
    private static final class Worker {
        private final Config config;
        private final SplittableRandom random;
        private final long deadline;
        private final long clientId;
        private final String prefix;
        private final long[] counterModel = new long[COUNTERS];
        private final int[] counterGeneration = new int[COUNTERS];
        private final byte[][] putModel = new byte[PUT_KEYS][];
        private final boolean[] putKnown = new boolean[PUT_KEYS];
        private final Histogram latency = new Histogram(3);
        private final List<String> problems = new ArrayList<>();
        private long sent, acknowledged, retried, timeouts, contradictions;

        Worker(Config config, SplittableRandom random, long deadline, long clientId) {
            this.config = config;
            this.random = random;
            this.deadline = deadline;
            this.clientId = clientId;
            this.prefix = Long.toHexString(clientId);
            Arrays.fill(putKnown, true); // the keys are new: absent is known
        }

        void run() throws IOException {
            try (KvClient client = new KvClient(config.target(), clientId, 1, config.timeoutMillis(),
                    config.attempts())) {
                for (long n = 0; config.requests() > 0 ? n < config.requests() : System.nanoTime() < deadline; n++) {
                    step(client, config.mix().pick(random));
                }
                for (int i = 0; i < COUNTERS; i++) {
                    verifyCounter(client, i);
                }
                sent = client.sent();
                retried = client.retries();
                timeouts = client.timeouts();
            }
        }

        private String counterKey(int i) {
            return prefix + "-c" + i + "." + counterGeneration[i];
        }

        private void step(KvClient client, Op op) throws IOException {
            int k = random.nextInt(op == Op.INCR ? COUNTERS : PUT_KEYS);
            String key = op == Op.INCR ? counterKey(k) : prefix + "-k" + k;
            byte[] value = op == Op.PUT ? ("v" + random.nextInt(1_000_000)).getBytes() : new byte[0];
            KvReply reply;
            try {
                reply = op == Op.INCR ? client.incr(key, 1) : client.execute(op, key, value);
            } catch (KvClient.KvTimeoutException e) {
                if (op == Op.INCR) {
                    counterGeneration[k]++; // it may have run: continue on a counter the model knows
                    counterModel[k] = 0;
                } else if (op != Op.GET) {
                    putKnown[k] = false;
                }
                return;
            }
            acknowledged++;
            latency.recordValue(Math.max(1, client.lastLatencyNanos() / 1000));
            switch (op) {
                case INCR -> {
                    long expected = counterModel[k] + 1;
                    if (reply.status() != Status.OK || reply.value().length != 8 || reply.counter() != expected) {
                        contradict(reply, "expected OK with counter " + expected);
                    } else {
                        counterModel[k] = expected;
                    }
                }
                case PUT -> {
                    if (reply.status() != Status.OK) {
                        contradict(reply, "expected OK");
                    }
                    putModel[k] = value;
                    putKnown[k] = reply.status() == Status.OK;
                }
                case GET -> {
                    if (putKnown[k]) {
                        checkValue(reply, putModel[k]);
                    }
                }
                case DEL -> {
                    Status expected = putModel[k] != null ? Status.OK : Status.NOT_FOUND;
                    if (putKnown[k] && reply.status() != expected) {
                        contradict(reply, "expected " + expected);
                    }
                    putModel[k] = null;
                    putKnown[k] = reply.status() == Status.OK || reply.status() == Status.NOT_FOUND;
                }
                default -> throw new IllegalStateException();
            }
        }

        private void checkValue(KvReply reply, byte[] expected) {
            if (expected == null ? reply.status() != Status.NOT_FOUND
                    : reply.status() != Status.OK || !Arrays.equals(reply.value(), expected)) {
                contradict(reply, expected == null ? "expected NOT_FOUND" : "expected value " + new String(expected));
            }
        }

        /* The counter must hold exactly the number of acknowledged INCRs. */
        private void verifyCounter(KvClient client, int i) throws IOException {
            try {
                KvReply reply = client.get(counterKey(i));
                acknowledged++;
                if (counterModel[i] == 0 ? reply.status() != Status.NOT_FOUND
                        : reply.status() != Status.OK || reply.value().length != 8 || reply.counter() != counterModel[i]) {
                    contradict(reply, "final check: counter should be " + counterModel[i]);
                }
            } catch (KvClient.KvTimeoutException e) {
                // counted as a timeout by the client
            }
        }

        private void contradict(KvReply reply, String expectation) {
            contradictions++;
            if (problems.size() < MAX_REPORTED) {
                String got = reply.value().length == 8 && reply.status() == Status.OK
                        ? " counter " + reply.counter() : "";
                problems.add(reply + got + ": " + expectation);
            }
        }
    }
}
