package dev.twinstep.colo.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tcp:HOST:PORT} as users write it, and the one-line refusal of anything else. */
class ReplicationAddressTest {
    @Test
    void shouldParseHostAndPort() {
        ReplicationAddress address = ReplicationAddress.parse("tcp:127.0.0.1:39602");

        assertEquals("127.0.0.1", address.host());
        assertEquals(39602, address.port());
        assertEquals(39602, address.socketAddress().getPort());
    }

    @Test
    void shouldParseAHostName() {
        assertEquals(new ReplicationAddress("backup.example", 9000), ReplicationAddress.parse("tcp:backup.example:9000"));
    }

    @Test
    void shouldParseABracketedIpv6HostAndPrintItBackTheSameWay() {
        ReplicationAddress address = ReplicationAddress.parse("tcp:[::1]:4444");

        assertEquals("::1", address.host());
        assertEquals(4444, address.port());
        assertEquals("tcp:[::1]:4444", address.toString());
    }

    @Test
    void shouldPrintWhatItParsed() {
        assertEquals("tcp:10.0.0.2:7", ReplicationAddress.parse("tcp:10.0.0.2:7").toString());
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "127.0.0.1:9000", "udp:127.0.0.1:9000", "unix:/tmp/x", "tcp:", "tcp:9000",
        "tcp::9000", "tcp:host:", "tcp:host:port", "tcp:host:-1", "tcp:host:65536", "tcp:host:99999999999"})
    void shouldRefuseAnAddressThatIsNotTcpHostPort(String text) {
        IllegalArgumentException refusal = assertThrows(IllegalArgumentException.class, () -> ReplicationAddress.parse(text));
        assertTrue(refusal.getMessage().contains("'" + text + "'"), "names the input: " + refusal.getMessage());
    }
}
