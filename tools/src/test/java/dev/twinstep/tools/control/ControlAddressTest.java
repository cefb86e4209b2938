package dev.twinstep.tools.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ControlAddressTest {
    @Test
    void shouldParseAUnixSocketPath() {
        ControlAddress address = ControlAddress.parse("unix:/tmp/twinstep.sock");
        assertTrue(address.isUnix());
        assertEquals(Path.of("/tmp/twinstep.sock"), address.unixPath());
    }

    @Test
    void shouldParseALoopbackTcpPort() {
        ControlAddress address = ControlAddress.parse("tcp:127.0.0.1:4444");
        assertFalse(address.isUnix());
        assertEquals(4444, address.tcpPort());
        assertEquals("tcp:127.0.0.1:4444", address.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp:0.0.0.0:4444", "tcp:192.168.1.2:4444", "tcp::4444", "tcp:localhost:4444"})
    void shouldRefuseTcpHostsOtherThanLoopback(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ControlAddress.parse(spec));
        assertTrue(e.getMessage().contains("127.0.0.1 only"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix:", "tcp:127.0.0.1", "tcp:127.0.0.1:http", "tcp:127.0.0.1:70000", "stdio", "/tmp/x.sock"})
    void shouldRefuseMalformedAddresses(String spec) {
        assertThrows(IllegalArgumentException.class, () -> ControlAddress.parse(spec));
    }
}
