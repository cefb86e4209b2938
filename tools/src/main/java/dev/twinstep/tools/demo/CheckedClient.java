package dev.twinstep.tools.demo;

import dev.twinstep.tools.kv.KvClient;
import dev.twinstep.tools.kv.KvLoad;
import dev.twinstep.tools.kv.KvProtocol;
import dev.twinstep.tools.kv.KvProtocol.Op;
import dev.twinstep.tools.kv.KvProtocol.Status;
import dev.twinstep.tools.kv.KvReply;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.PortUnreachableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One client of the demo's load, on keys of its own, with a model of what they hold: every reply
 * is checked against the model as it arrives (an INCR must answer the number of acknowledged INCRs
 * of its counter, so one that ran twice shows at once), and {@link #verify} reads every key back
 * (after each kill and at the end). A request that gets no answer after every resend may or may not have run: its key
 * leaves the model (a counter is replaced by a fresh one) and it counts as unresolved.
 */
final class CheckedClient {
    private static final int COUNTERS = 4;
    private static final int PUT_KEYS = 8;
    private static final int MAX_PROBLEMS = 10;
    private static final int INITIAL_ANSWERS = 4096;

    private final KvClient client;
    private final int timeoutMillis;
    private final int attempts;
    private final KvLoad.Mix mix;
    private final SplittableRandom random;
    private final String prefix;
    private final DemoLoad.Progress progress;
    private final long[] counterModel = new long[COUNTERS];
    private final int[] counterGeneration = new int[COUNTERS];
    private final byte[][] putModel = new byte[PUT_KEYS][];
    private final boolean[] putKnown = new boolean[PUT_KEYS];
    private final List<String> problems = new ArrayList<>();
    private long[] answerNanos = new long[INITIAL_ANSWERS];
    private boolean resentAfterUnreachable;
    private int answers;
    private long requests;
    private long acknowledged;
    private long requestsRetried;
    private long unresolved;
    private long incrsAcknowledged;
    private long contradictions;
    private long writesChecked;
    private long writesMissing;
    private long countersChecked;
    private long countersWrong;
    private long unverified;

    CheckedClient(KvClient client, long clientId, int timeoutMillis, int attempts, KvLoad.Mix mix,
                  SplittableRandom random, DemoLoad.Progress progress) {
        this.client = client;
        this.timeoutMillis = timeoutMillis;
        this.attempts = attempts;
        this.mix = mix;
        this.random = random;
        this.prefix = Long.toHexString(clientId);
        this.progress = progress;
        Arrays.fill(putKnown, true); // fresh keys: known to be absent
    }

    /** Sends one request of the mix and checks its reply. */
    void step() throws IOException {
        Op op = pick();
        int k = random.nextInt(op == Op.INCR ? COUNTERS : PUT_KEYS);
        String key = op == Op.INCR ? counterKey(k) : putKey(k);
        byte[] value = op == Op.PUT ? ("v" + random.nextInt(1_000_000)).getBytes(StandardCharsets.US_ASCII) : new byte[0];
        long retriesBefore = client.retries();
        resentAfterUnreachable = false;
        requests++;
        KvReply reply = send(op, key, value);
        if (reply == null) {
            unresolved++;
            if (op == Op.INCR) {
                counterGeneration[k]++;
                counterModel[k] = 0;
            } else if (op != Op.GET) {
                putKnown[k] = false;
            }
            return;
        }
        answered(client.retries() > retriesBefore || resentAfterUnreachable);
        switch (op) {
            case INCR -> {
                long expected = counterModel[k] + 1;
                if (reply.status() != Status.OK || reply.value().length != 8 || reply.counter() != expected) {
                    contradict(key, reply, "counter " + expected);
                    countersWrong++;
                    if (reply.status() == Status.OK && reply.value().length == 8) {
                        counterModel[k] = reply.counter(); // follow the service, so one fault counts once
                    }
                } else {
                    counterModel[k] = expected;
                    incrsAcknowledged++;
                }
            }
            case PUT -> {
                if (reply.status() != Status.OK) {
                    contradict(key, reply, "OK");
                }
                putModel[k] = value;
                putKnown[k] = reply.status() == Status.OK;
            }
            case GET -> {
                if (putKnown[k] && !holds(reply, putModel[k])) {
                    contradict(key, reply, describe(putModel[k]));
                }
            }
            default -> {
                Status expected = putModel[k] != null ? Status.OK : Status.NOT_FOUND;
                if (putKnown[k] && reply.status() != expected) {
                    contradict(key, reply, expected.toString());
                }
                putModel[k] = null;
                putKnown[k] = reply.status() == Status.OK || reply.status() == Status.NOT_FOUND;
            }
        }
    }

    /**
     * Reads every key the model knows back: each written value must be there, and each counter
     * must equal the number of INCRs acknowledged on it.
     */
    void verify() throws IOException {
        for (int k = 0; k < PUT_KEYS; k++) {
            if (putKnown[k]) {
                KvReply reply = read(putKey(k));
                if (reply != null) {
                    writesChecked++;
                    if (!holds(reply, putModel[k])) {
                        writesMissing++;
                        problem("write lost: " + putKey(k) + " should hold " + describe(putModel[k]) + ", read "
                                + found(reply));
                    }
                }
            }
        }
        for (int i = 0; i < COUNTERS; i++) {
            KvReply reply = read(counterKey(i));
            if (reply != null) {
                countersChecked++;
                boolean right = counterModel[i] == 0 ? reply.status() == Status.NOT_FOUND
                        : reply.status() == Status.OK && reply.value().length == 8 && reply.counter() == counterModel[i];
                if (!right) {
                    countersWrong++;
                    problem("counter " + counterKey(i) + " should be " + counterModel[i] + " (acknowledged INCRs), read "
                            + found(reply));
                }
            }
        }
    }

    private KvReply read(String key) throws IOException {
        KvReply reply = send(Op.GET, key, new byte[0]);
        if (reply == null) {
            unverified++;
        }
        return reply;
    }

    /** The reply, or null when every attempt went unanswered (the request may or may not have run). */
    private KvReply send(Op op, String key, byte[] value) throws IOException {
        try {
            return client.execute(op, key, op == Op.INCR ? KvProtocol.encodeLong(1) : value);
        } catch (KvClient.KvTimeoutException noAnswer) {
            return null;
        } catch (PortUnreachableException nobodyListens) {
            return resendWhileUnreachable();
        }
    }

    /*
     * KvClient passes a port-unreachable error on when it surfaces at a send rather than a receive:
     * the port is between the dead primary and the survivor. That is a lost datagram, so resend the
     * same request (same seq) after a timeout, as many times as a request may be sent.
     */
    private KvReply resendWhileUnreachable() throws IOException {
        for (int attempt = 1; attempt < attempts; attempt++) {
            try {
                Thread.sleep(timeoutMillis);
                resentAfterUnreachable = true;
                return client.resendLast();
            } catch (KvClient.KvTimeoutException noAnswer) {
                return null;
            } catch (PortUnreachableException stillNobody) {
                // Try again.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while resending");
            }
        }
        return null;
    }

    private void answered(boolean afterResend) {
        long now = System.nanoTime();
        if (answers == answerNanos.length) {
            answerNanos = Arrays.copyOf(answerNanos, answers * 2);
        }
        answerNanos[answers++] = now;
        acknowledged++;
        if (afterResend) {
            requestsRetried++;
        }
        progress.answered(now);
    }

    private Op pick() {
        int r = random.nextInt(mix.incr() + mix.put() + mix.get() + mix.del());
        if (r < mix.incr()) {
            return Op.INCR;
        }
        if (r < mix.incr() + mix.put()) {
            return Op.PUT;
        }
        return r < mix.incr() + mix.put() + mix.get() ? Op.GET : Op.DEL;
    }

    private String counterKey(int i) {
        return prefix + "-c" + i + "." + counterGeneration[i];
    }

    private String putKey(int k) {
        return prefix + "-k" + k;
    }

    private static boolean holds(KvReply reply, byte[] expected) {
        return expected == null ? reply.status() == Status.NOT_FOUND
                : reply.status() == Status.OK && Arrays.equals(reply.value(), expected);
    }

    private static String describe(byte[] value) {
        return value == null ? "nothing (NOT_FOUND)" : "'" + new String(value, StandardCharsets.US_ASCII) + "'";
    }

    private static String found(KvReply reply) {
        if (reply.status() != Status.OK) {
            return reply.status().toString();
        }
        return reply.value().length == 8 ? "counter " + reply.counter() + " / " + describe(reply.value())
                : describe(reply.value());
    }

    private void contradict(String key, KvReply reply, String expected) {
        contradictions++;
        problem("reply contradicted: " + reply.op() + " " + key + " seq " + reply.seq() + " answered " + found(reply)
                + ", expected " + expected);
    }

    private void problem(String text) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(text);
        }
    }

    /** The underlying client (its datagram counters). */
    KvClient kvClient() {
        return client;
    }

    /** This client's answer times. */
    AnswerTimeline timeline() {
        return AnswerTimeline.of(answerNanos, answers);
    }

    List<String> problems() {
        return problems;
    }

    long requests() {
        return requests;
    }

    long acknowledged() {
        return acknowledged;
    }

    long requestsRetried() {
        return requestsRetried;
    }

    long unresolved() {
        return unresolved;
    }

    long incrsAcknowledged() {
        return incrsAcknowledged;
    }

    long contradictions() {
        return contradictions;
    }

    long writesChecked() {
        return writesChecked;
    }

    long writesMissing() {
        return writesMissing;
    }

    long countersChecked() {
        return countersChecked;
    }

    long countersWrong() {
        return countersWrong;
    }

    long unverified() {
        return unverified;
    }
}
