package dev.twinstep.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.backend.NoneNetBackend;
import dev.twinstep.devices.net.backend.StreamNetBackend;
import dev.twinstep.devices.net.backend.tap.TapNetBackend;
import dev.twinstep.devices.net.backend.user.UserNetBackend;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine.TypeConversionException;

@Timeout(60)
class NetdevOptionTest {
    private final NetdevOption.Converter converter = new NetdevOption.Converter();

    private String rejection(String value) {
        return assertThrows(TypeConversionException.class, () -> converter.convert(value)).getMessage();
    }

    @Test
    void shouldParseAStreamServerOverTcpAsQemuSpellsIt() {
        NetdevOption option = converter.convert("stream,id=n0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=5555");
        assertEquals(NetdevOption.Kind.STREAM, option.kind());
        assertTrue(option.stream().server());
        assertEquals(new InetSocketAddress("127.0.0.1", 5555), option.stream().address());
        assertInstanceOf(StreamNetBackend.class, option.create());
    }

    @Test
    void shouldParseAStreamClientOverAUnixSocket() {
        NetdevOption option = converter.convert("stream,server=off,addr.type=unix,addr.path=/tmp/wire.sock");
        assertEquals(false, option.stream().server());
        assertEquals(UnixDomainSocketAddress.of("/tmp/wire.sock"), option.stream().address());
    }

    @Test
    void shouldParseUserWithSeveralHostForwards() {
        NetdevOption option = converter.convert("user,id=n0,hostfwd=udp:127.0.0.1:5555-:9000,hostfwd=udp::5556-10.0.2.15:9001");
        assertEquals(2, option.hostForwards().size());
        assertEquals(5555, option.hostForwards().get(0).hostPort());
        assertEquals(9001, option.hostForwards().get(1).guestPort());
        assertInstanceOf(UserNetBackend.class, option.create());
    }

    @Test
    void shouldParseTapAndNone() {
        NetdevOption tap = converter.convert("tap,id=n0,ifname=tap0,script=no,downscript=no");
        assertEquals("tap0", tap.ifname());
        assertInstanceOf(TapNetBackend.class, tap.create());
        assertInstanceOf(NoneNetBackend.class, converter.convert("none").create());
    }

    @Test
    void shouldRejectMalformedBackEndsWithOneClearMessage() {
        assertTrue(rejection("socket,listen=:1234").contains("is not a network back end"));
        assertTrue(rejection("stream,server=on,addr.type=inet,addr.host=127.0.0.1").contains("needs addr.host and addr.port"));
        assertTrue(rejection("stream,server=maybe,addr.type=inet,addr.host=h,addr.port=1").contains("must be on or off"));
        assertTrue(rejection("stream,addr.type=inet,addr.host=127.0.0.1,addr.port=0").contains("needs a port other than 0"));
        assertTrue(rejection("stream,addr.type=inet,addr.host=127.0.0.1,addr.port=1,keep-alive=on")
                .contains("unknown stream option 'keep-alive=on'"));
        assertTrue(rejection("stream,server=off,addr.type=vsock").contains("give addr.type=inet"));
        assertTrue(rejection("user,hostfwd=tcp:127.0.0.1:2222-:22").contains("only udp host forwards"));
        assertTrue(rejection("user,net=10.0.3.0/24").contains("unknown user option 'net=10.0.3.0/24'"));
        assertTrue(rejection("tap").contains("ifname=NAME"));
        assertTrue(rejection("tap,ifname=tap0,script=/etc/qemu-ifup").contains("unknown tap option"));
    }

    @Test
    void shouldReportABusyHostForwardPortAsOneUsageErrorBeforeTheGuestRuns() throws Exception {
        try (DatagramSocket busy = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            CliRun run = CliRun.of("run", "--guest", "hello", "--netdev", "user,hostfwd=udp:127.0.0.1:" + port + "-:9000");
            assertEquals(ExitCodes.USAGE, run.status(), run.stderr());
            assertEquals(1, run.stderrLines().size(), run.stderr());
            assertTrue(run.stderr().startsWith("twinstep: error: --netdev user,hostfwd=udp:127.0.0.1:" + port
                    + "-:9000: cannot bind udp 127.0.0.1:" + port + " for hostfwd"), run.stderr());
            assertEquals("", run.stdout(), "the guest never ran");
        }
    }

    @Test
    void shouldReportAStreamPeerThatIsNotListeningAsAUsageError() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String value = "stream,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=" + port;
        NetdevOption option = converter.convert(value);
        NetBackend backend = option.create();
        backend.attach((frame, offset, length) -> true);
        UsageException e = assertThrows(UsageException.class, () -> option.start(backend));
        assertTrue(e.getMessage().startsWith("--netdev " + value + ": cannot connect to tcp 127.0.0.1:" + port + ": "),
                e.getMessage());
        backend.close();
    }

    @Test
    void shouldRunAGuestWithAnUnpluggedNicJustAsWithoutOne() {
        CliRun without = CliRun.of("run", "--guest", "hello", "--clock", "icount");
        CliRun unplugged = CliRun.of("run", "--guest", "hello", "--clock", "icount", "--netdev", "none");
        assertEquals(without.status(), unplugged.status(), unplugged.stderr());
        assertEquals(without.stdout(), unplugged.stdout());
    }
}
