package dev.twinstep.colo.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Message codes on the wire: QEMU's COLOMessage order first, Twinstep's after, nothing else accepted. */
class ColoMessageTest {
    /** QEMU's COLOMessage enum (qapi/migration.json), in declaration order: code = index. */
    private static final List<String> QEMU_COLO_MESSAGES = List.of("checkpoint-ready", "checkpoint-request",
            "checkpoint-reply", "vmstate-send", "vmstate-size", "vmstate-received", "vmstate-loaded");

    @Test
    void shouldNumberTheFirstSevenMessagesInQemuColoMessageOrder() {
        for (int code = 0; code < QEMU_COLO_MESSAGES.size(); code++) {
            String qemuName = QEMU_COLO_MESSAGES.get(code);
            ColoMessage message = ColoMessage.valueOf(qemuName.toUpperCase().replace('-', '_'));
            assertEquals(code, message.code, qemuName);
        }
    }

    @Test
    void shouldGiveTwinstepMessagesTheCodesAfterQemus() {
        assertEquals(7, ColoMessage.HELLO.code);
        assertEquals(8, ColoMessage.HEARTBEAT.code);
        assertEquals(9, ColoMessage.GUEST_SHUTDOWN.code);
        assertEquals(10, ColoMessage.FAILOVER.code);
        assertEquals(11, ColoMessage.RAM_BATCH.code);
        assertEquals(12, ColoMessage.DISK_BATCH.code);
        assertEquals(13, ColoMessage.HANDOVER.code);
        assertEquals(14, ColoMessage.ERROR.code);
    }

    @Test
    void shouldMapEveryCodeBackToItsMessage() throws ProtocolException {
        for (ColoMessage message : ColoMessage.values()) {
            assertSame(message, ColoMessage.of(message.code));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 15, 16, 0x100, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void shouldRefuseAnUnknownCodeByNumber(int code) {
        ProtocolException refusal = assertThrows(ProtocolException.class, () -> ColoMessage.of(code));
        assertTrue(refusal.getMessage().contains(String.valueOf(code)), refusal.getMessage());
    }
}
