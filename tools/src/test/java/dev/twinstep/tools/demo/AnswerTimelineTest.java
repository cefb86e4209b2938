package dev.twinstep.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerTimelineTest {
    private static final long MS = 1_000_000L;
    private static final long SLACK = 50 * MS;

    private static AnswerTimeline answersAtMillis(long... millis) {
        long[] nanos = new long[millis.length];
        for (int i = 0; i < millis.length; i++) {
            nanos[i] = millis[i] * MS;
        }
        return AnswerTimeline.of(nanos, nanos.length);
    }

    @Test
    void shouldMeasureTheSilenceFromTheLastAnswerBeforeTheKillToTheFirstAfterIt() {
        AnswerTimeline timeline = answersAtMillis(0, 10, 20, 30, 300, 310);
        AnswerTimeline.Silence silence = timeline.silenceAround(35 * MS, SLACK);
        assertEquals(30 * MS, silence.lastAnswerNanos());
        assertEquals(300 * MS, silence.firstAnswerNanos());
        assertEquals(270 * MS, silence.lengthNanos());
    }

    @Test
    void shouldSeeThroughAReplyTakenFromTheSocketJustAfterTheKill() {
        AnswerTimeline timeline = answersAtMillis(0, 10, 20, 27, 400);
        AnswerTimeline.Silence silence = timeline.silenceAround(25 * MS, SLACK);
        assertEquals(27 * MS, silence.lastAnswerNanos());
        assertEquals(400 * MS, silence.firstAnswerNanos());
    }

    @Test
    void shouldNotTakeASilenceThatBeganLongAfterTheKillForTheOutage() {
        AnswerTimeline timeline = answersAtMillis(0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 1000);
        AnswerTimeline.Silence silence = timeline.silenceAround(12 * MS, SLACK);
        assertEquals(10 * MS, silence.lengthNanos());
    }

    @Test
    void shouldFindNoSilenceWhenNothingAnsweredAfterTheKill() {
        assertNull(answersAtMillis(0, 10, 20).silenceAround(25 * MS, SLACK));
        assertNull(answersAtMillis().silenceAround(25 * MS, SLACK));
    }

    @Test
    void shouldMergeTheClientsTimelinesInTimeOrder() {
        AnswerTimeline merged = AnswerTimeline.merge(List.of(answersAtMillis(5, 1, 9), answersAtMillis(3, 400)));
        assertEquals(5, merged.size());
        AnswerTimeline.Silence silence = merged.silenceAround(10 * MS, SLACK);
        assertEquals(9 * MS, silence.lastAnswerNanos());
        assertEquals(400 * MS, silence.firstAnswerNanos());
    }
}
