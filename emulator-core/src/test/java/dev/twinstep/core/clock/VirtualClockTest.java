package dev.twinstep.core.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualClockTest {
    private final long[] instructions = {0};
    private final VirtualClock clock = new VirtualClock(ClockMode.ICOUNT, 4, () -> instructions[0]);

    @Test
    void shouldCountInstructionsTimesThePeriodPlusSkippedTimeInIcountMode() {
        instructions[0] = 1000;
        assertEquals(4000, clock.nowNanos());
        clock.skipTo(10_000);
        assertEquals(10_000, clock.nowNanos());
        instructions[0] = 1001;
        assertEquals(10_004, clock.nowNanos());
    }

    @Test
    void shouldRunDueTimersEarliestFirstWithTheirDeadlines() {
        List<String> fired = new ArrayList<>();
        Timer late = clock.newTimer("late", deadline -> fired.add("late@" + deadline));
        Timer early = clock.newTimer("early", deadline -> fired.add("early@" + deadline));
        late.armAt(800);
        early.armAt(400);
        assertEquals(400, clock.nextDeadline());
        instructions[0] = 150;
        assertEquals(1, clock.runDueTimers());
        instructions[0] = 300;
        assertEquals(1, clock.runDueTimers());
        assertEquals(List.of("early@400", "late@800"), fired);
        assertEquals(VirtualClock.NEVER, clock.nextDeadline());
    }

    @Test
    void shouldRunAPeriodicTimerOnceForEveryPeriodItFellBehind() {
        int[] ticks = {0};
        Timer[] self = new Timer[1];
        self[0] = clock.newTimer("periodic", deadline -> {
            ticks[0]++;
            self[0].armAt(deadline + 100);
        });
        self[0].armAt(100);
        instructions[0] = 250; // 1000 ns
        clock.runDueTimers();
        assertEquals(10, ticks[0]);
        assertEquals(1100, self[0].deadline());
    }

    @Test
    void shouldCutTheCurrentSliceWhenAnEarlierTimerIsArmed() {
        boolean[] cut = {false};
        clock.beginSlice(10_000, () -> cut[0] = true);
        clock.newTimer("later", deadline -> { }).armAt(20_000);
        assertFalse(cut[0]);
        clock.newTimer("sooner", deadline -> { }).armAt(5_000);
        assertTrue(cut[0]);
        clock.endSlice();
        cut[0] = false;
        clock.newTimer("between slices", deadline -> { }).armAt(1_000);
        assertFalse(cut[0], "between slices there is nothing to cut");
    }

    @Test
    void shouldConvertADeadlineIntoAnInstructionBudgetRoundedUp() {
        instructions[0] = 10;
        assertEquals(3, clock.instructionsUntil(50));
        assertEquals(1, clock.instructionsUntil(0));
    }

    @Test
    void shouldStandStillWhilePausedInRealtimeMode() throws InterruptedException {
        VirtualClock realtime = new VirtualClock(ClockMode.REALTIME, 1, () -> 0);
        realtime.pause();
        long before = realtime.nowNanos();
        Thread.sleep(20);
        assertEquals(before, realtime.nowNanos());
        realtime.resume();
        assertTrue(realtime.nowNanos() >= before);
    }

    @Test
    void shouldForgetACancelledTimer() {
        Timer timer = clock.newTimer("t", deadline -> { throw new AssertionError("cancelled timer ran"); });
        timer.armAt(10);
        timer.cancel();
        instructions[0] = 100;
        assertEquals(0, clock.runDueTimers());
        assertFalse(timer.isArmed());
    }
}
