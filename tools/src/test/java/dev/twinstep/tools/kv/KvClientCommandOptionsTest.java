package dev.twinstep.tools.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KvClientCommandOptionsTest {
    @Test
    void shouldParseDurationsInMillisecondsSecondsMinutesAndHours() {
        KvClientCommand.DurationConverter converter = new KvClientCommand.DurationConverter();
        assertEquals(Duration.ofMillis(250), converter.convert("250ms"));
        assertEquals(Duration.ofSeconds(10), converter.convert("10s"));
        assertEquals(Duration.ofMinutes(5), converter.convert("5m"));
        assertEquals(Duration.ofHours(2), converter.convert("2h"));
        assertThrows(IllegalArgumentException.class, () -> converter.convert("10"));
    }

    @Test
    void shouldParseHostAndPortAndRefuseAMissingPort() {
        KvClientCommand.TargetConverter converter = new KvClientCommand.TargetConverter();
        InetSocketAddress target = converter.convert("127.0.0.1:9000");
        assertEquals("127.0.0.1", target.getHostString());
        assertEquals(9000, target.getPort());
        assertThrows(IllegalArgumentException.class, () -> converter.convert("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> converter.convert("127.0.0.1:70000"));
    }

    @Test
    void shouldParseAnOperationMixAndRefuseUnknownOperations() {
        assertEquals(new KvLoad.Mix(60, 40, 0, 0), KvLoad.Mix.parse("incr=60,put=40"));
        assertThrows(IllegalArgumentException.class, () -> KvLoad.Mix.parse("incr=1,swap=2"));
        assertThrows(IllegalArgumentException.class, () -> KvLoad.Mix.parse("incr=0"));
    }
}
