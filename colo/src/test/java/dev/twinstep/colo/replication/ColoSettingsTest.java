package dev.twinstep.colo.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Replication timing that cannot work is refused before anything starts, and the fault plans parse as documented. */
class ColoSettingsTest {
    @Test
    void shouldAcceptTheDefaults() {
        assertEquals(new ColoSettings(100, 20, 200, 1000), ColoSettings.DEFAULT);
    }

    @Test
    void shouldRefuseAFailoverTimeoutShorterThanTwoHeartbeats() {
        IllegalArgumentException refusal = assertThrows(IllegalArgumentException.class,
                () -> new ColoSettings(100, 20, 39, 1000));
        assertTrue(refusal.getMessage().contains("39 ms") && refusal.getMessage().contains("40 ms"), refusal.getMessage());
    }

    @Test
    void shouldAcceptAFailoverTimeoutOfExactlyTwoHeartbeats() {
        assertEquals(40, new ColoSettings(100, 20, 40, 1000).failoverTimeoutMillis());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void shouldRefuseNonPositivePeriods(int millis) {
        assertThrows(IllegalArgumentException.class, () -> new ColoSettings(millis, 20, 200, 1000));
        assertThrows(IllegalArgumentException.class, () -> new ColoSettings(100, millis, 200, 1000));
        assertThrows(IllegalArgumentException.class, () -> new ColoSettings(100, 20, 200, millis));
    }

    @Test
    void shouldParseEachFaultKindWithItsEpoch() {
        assertEquals(new FaultPlan(FaultPlan.Kind.CORRUPT, 3), FaultPlan.parse("corrupt:3"));
        assertEquals(new FaultPlan(FaultPlan.Kind.STALL_IN_TRANSFER, 12), FaultPlan.parse("stall-in-transfer:12"));
        assertEquals(new FaultPlan(FaultPlan.Kind.STALL_AFTER_RECEIVED, 1), FaultPlan.parse("stall-after-received:1"));
    }

    @Test
    void shouldFireAFaultOnlyAtItsKindAndEpoch() {
        FaultPlan plan = FaultPlan.parse("corrupt:3");

        assertTrue(plan.at(FaultPlan.Kind.CORRUPT, 3));
        assertFalse(plan.at(FaultPlan.Kind.CORRUPT, 2));
        assertFalse(plan.at(FaultPlan.Kind.STALL_IN_TRANSFER, 3));
        for (FaultPlan.Kind kind : List.of(FaultPlan.Kind.CORRUPT, FaultPlan.Kind.STALL_IN_TRANSFER,
                FaultPlan.Kind.STALL_AFTER_RECEIVED)) {
            assertFalse(FaultPlan.NONE.at(kind, 0), "the empty plan injects no " + kind);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"corrupt", "explode:3", "corrupt:x", ""})
    void shouldRefuseAnUnknownFaultPlan(String text) {
        assertThrows(IllegalArgumentException.class, () -> FaultPlan.parse(text));
    }
}
