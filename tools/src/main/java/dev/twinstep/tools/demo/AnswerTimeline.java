package dev.twinstep.tools.demo;

import java.util.Arrays;

/**
 * The moments (System.nanoTime) at which clients received answers, sorted, and the silence a kill
 * caused in them. A reply the dead process sent just before the kill can still be taken from a
 * socket a little after it (a client thread that was not scheduled), so the silence is the longest
 * interval between consecutive answers that begins no later than {@code slack} after the kill and
 * ends after it: such a straggler cannot hide the outage that follows it.
 */
final class AnswerTimeline {
    private final long[] sortedNanos;

    private AnswerTimeline(long[] sortedNanos) {
        this.sortedNanos = sortedNanos;
    }

    /** A timeline of {@code count} answer times from {@code nanos} (copied, then sorted). */
    static AnswerTimeline of(long[] nanos, int count) {
        long[] copy = Arrays.copyOf(nanos, count);
        Arrays.sort(copy);
        return new AnswerTimeline(copy);
    }

    /** All the given timelines in one. */
    static AnswerTimeline merge(Iterable<AnswerTimeline> timelines) {
        int total = 0;
        for (AnswerTimeline t : timelines) {
            total += t.sortedNanos.length;
        }
        long[] all = new long[total];
        int at = 0;
        for (AnswerTimeline t : timelines) {
            System.arraycopy(t.sortedNanos, 0, all, at, t.sortedNanos.length);
            at += t.sortedNanos.length;
        }
        Arrays.sort(all);
        return new AnswerTimeline(all);
    }

    /** Answers in the timeline. */
    int size() {
        return sortedNanos.length;
    }

    /**
     * The silence around {@code killNanos}, or null when no answer came after the kill (or none
     * before it: then there was no service to lose).
     */
    Silence silenceAround(long killNanos, long slackNanos) {
        Silence longest = null;
        for (int i = 0; i + 1 < sortedNanos.length; i++) {
            long before = sortedNanos[i];
            long after = sortedNanos[i + 1];
            if (before > killNanos + slackNanos) {
                break;
            }
            if (after > killNanos && (longest == null || after - before > longest.lengthNanos())) {
                longest = new Silence(before, after);
            }
        }
        return longest;
    }

    /**
     * An interval without answers.
     *
     * @param lastAnswerNanos  the last answer before it
     * @param firstAnswerNanos the first answer after it
     */
    record Silence(long lastAnswerNanos, long firstAnswerNanos) {
        long lengthNanos() {
            return firstAnswerNanos - lastAnswerNanos;
        }
    }
}
