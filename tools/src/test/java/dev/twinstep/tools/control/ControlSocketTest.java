package dev.twinstep.tools.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.tools.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The control socket against a real machine running the bench guest, over real Unix and TCP sockets. */
@Timeout(120)
class ControlSocketTest {
    /** Far more work than any test waits for: only quit ends these runs. */
    private static final String ENDLESS_BENCH = "scale=1000000";

    @TempDir
    Path dir;

    private CompletableFuture<Integer> run;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @AfterEach
    void stopTheGuest() throws Exception {
        if (run != null && !run.isDone()) {
            Path socket = dir.resolve("ctl");
            if (Files.exists(socket)) {
                try (ControlClient client = connect(socket).negotiated()) {
                    client.execute("quit");
                }
            }
            run.get(30, TimeUnit.SECONDS);
        }
    }

    private CompletableFuture<Integer> startRun(String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--guest", "bench", "--append", ENDLESS_BENCH, "--serial", "none"));
        args.addAll(List.of(extra));
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        return CompletableFuture.supplyAsync(() -> Main.run(args.toArray(String[]::new), new ByteArrayOutputStream(), err));
    }

    private Path startUnixRun() throws Exception {
        Path socket = dir.resolve("ctl");
        run = startRun("--control", "unix:" + socket);
        awaitSocket(socket);
        return socket;
    }

    private ControlClient connect(Path socket) throws IOException {
        try {
            return ControlClient.unix(socket);
        } catch (IOException e) {
            throw new IOException("cannot connect; run " + run.getNow(null) + ", stderr: "
                    + stderr.toString(StandardCharsets.UTF_8), e);
        }
    }

    /** Waits until the socket accepts: the JDK creates a Unix socket's file just before it listens. */
    private void awaitSocket(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (Files.exists(socket)) {
                try (ControlClient probe = ControlClient.unix(socket)) {
                    return;
                } catch (IOException notListeningYet) {
                    // retry below
                }
            }
            if (run.isDone() || System.nanoTime() > deadline) {
                throw new AssertionError("control socket never accepted; stderr: " + stderr.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(20);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> returned(Map<String, Object> reply) {
        assertTrue(reply.containsKey("return"), () -> "expected a return, got " + reply);
        return (Map<String, Object>) reply.get("return");
    }

    @SuppressWarnings("unchecked")
    private static String errorDescription(Map<String, Object> reply) {
        assertTrue(reply.containsKey("error"), () -> "expected an error, got " + reply);
        Map<String, Object> error = (Map<String, Object>) reply.get("error");
        assertEquals("GenericError", error.get("class"));
        return (String) error.get("desc");
    }

    @Test
    void shouldReportRunningThenPausedThenRunningAcrossStopAndCont() throws Exception {
        Path socket = startUnixRun();
        try (ControlClient client = connect(socket).negotiated()) {
            assertEquals(Map.of("running", true, "status", "running"), returned(client.execute("query-status")));
            assertEquals(Map.of(), returned(client.execute("stop")));
            client.awaitEvent("STOP");
            assertEquals(Map.of("running", false, "status", "paused"), returned(client.execute("query-status")));
            returned(client.execute("cont"));
            client.awaitEvent("RESUME");
            assertEquals(Map.of("running", true, "status", "running"), returned(client.execute("query-status")));
        }
    }

    @Test
    void shouldEchoTheRequestIdInTheReply() throws Exception {
        Path socket = startUnixRun();
        try (ControlClient client = connect(socket).negotiated()) {
            Map<String, Object> reply = client.send("{\"execute\": \"query-status\", \"id\": \"abc-7\"}");
            assertEquals("abc-7", reply.get("id"));
        }
    }

    @Test
    void shouldEndTheRunWhenQuitIsSent() throws Exception {
        Path socket = startUnixRun();
        try (ControlClient client = connect(socket).negotiated()) {
            assertEquals(Map.of(), returned(client.execute("quit")));
            assertEquals(0, run.get(30, TimeUnit.SECONDS));
            client.awaitEvent("SHUTDOWN");
        }
        assertFalse(Files.exists(socket), "the socket file is removed when the run ends");
    }

    @Test
    void shouldAnswerBadInputWithErrorRepliesAndKeepServing() throws Exception {
        Path socket = startUnixRun();
        try (ControlClient client = connect(socket)) {
            assertNotNull(client.readMessage().get("QMP"));
            assertTrue(errorDescription(client.execute("query-status")).contains("qmp_capabilities"));
            returned(client.execute("qmp_capabilities"));
            assertTrue(errorDescription(client.send("{\"execute\": ")).startsWith("JSON parse error"));
            assertTrue(errorDescription(client.send("[1, 2]")).contains("JSON object"));
            assertTrue(errorDescription(client.send("{\"arguments\": {}}")).contains("execute"));
            assertTrue(errorDescription(client.execute("reboot-the-moon")).contains("reboot-the-moon"));
            assertTrue(errorDescription(client.send("{\"execute\": \"snapshot-save\", \"arguments\": {}}")).contains("'file'"));
            assertTrue(errorDescription(client.send("{\"execute\": \"stop\", \"arguments\": 5}")).contains("arguments"));
            assertTrue(errorDescription(client.send("{\"execute\": \"stop\", \"arguments\": {\"now\": true}}")).contains("'now'"));
            assertEquals("running", returned(client.execute("query-status")).get("status"));
        }
    }

    @Test
    void shouldSaveASnapshotThatARestoredRunContinuesFrom() throws Exception {
        Path socket = startUnixRun();
        Path file = dir.resolve("snap.bin");
        try (ControlClient client = connect(socket).negotiated()) {
            returned(client.send("{\"execute\": \"snapshot-save\", \"arguments\": {\"file\": \"" + file + "\"}}"));
            assertEquals("running", returned(client.execute("query-status")).get("status"), "a running machine runs on");
            returned(client.execute("quit"));
        }
        assertEquals(0, run.get(30, TimeUnit.SECONDS));
        byte[] head = Arrays.copyOf(Files.readAllBytes(file), 8);
        assertEquals("TWSTSNAP", new String(head, StandardCharsets.US_ASCII));

        run = startRun("--restore", file.toString(), "--control", "unix:" + socket);
        awaitSocket(socket);
        try (ControlClient client = connect(socket).negotiated()) {
            assertEquals("running", returned(client.execute("query-status")).get("status"));
        } catch (IOException e) {
            throw new AssertionError("restored run: " + run.getNow(null) + " " + stderr.toString(StandardCharsets.UTF_8), e);
        }
    }

    @Test
    void shouldKeepAPausedMachinePausedAcrossSnapshotSave() throws Exception {
        Path socket = startUnixRun();
        Path file = dir.resolve("paused.bin");
        try (ControlClient client = connect(socket).negotiated()) {
            returned(client.execute("stop"));
            returned(client.send("{\"execute\": \"snapshot-save\", \"arguments\": {\"file\": \"" + file + "\"}}"));
            assertEquals("paused", returned(client.execute("query-status")).get("status"));
        }
        assertTrue(Files.size(file) > 0);
    }

    @Test
    void shouldReportASnapshotFileThatCannotBeWrittenAsAnError() throws Exception {
        Path socket = startUnixRun();
        Path file = dir.resolve("no-such-dir").resolve("snap.bin");
        try (ControlClient client = connect(socket).negotiated()) {
            String desc = errorDescription(client.send("{\"execute\": \"snapshot-save\", \"arguments\": {\"file\": \""
                    + file + "\"}}"));
            assertTrue(desc.contains("snapshot-save"), desc);
            assertEquals("running", returned(client.execute("query-status")).get("status"));
        }
    }

    @Test
    void shouldSendStopEventsToEveryConnectedClient() throws Exception {
        Path socket = startUnixRun();
        try (ControlClient first = connect(socket).negotiated();
                ControlClient second = connect(socket).negotiated()) {
            returned(first.execute("stop"));
            assertEquals("STOP", second.awaitEvent("STOP").get("event"));
            assertEquals("paused", returned(second.execute("query-status")).get("status"));
            returned(second.execute("cont"));
            first.awaitEvent("RESUME");
        }
    }

    @Test
    void shouldServeOverTcpOnLoopback() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        run = startRun("--control", "tcp:127.0.0.1:" + port);
        ControlClient client = connectWithRetry(port);
        try (client) {
            client.negotiated();
            assertEquals("running", returned(client.execute("query-status")).get("status"));
            returned(client.execute("quit"));
            assertEquals(0, run.get(30, TimeUnit.SECONDS));
        }
    }

    private ControlClient connectWithRetry(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return ControlClient.tcp(port);
            } catch (IOException notYet) {
                if (run.isDone() || System.nanoTime() > deadline) {
                    throw new AssertionError("could not connect; stderr: " + stderr.toString(StandardCharsets.UTF_8), notYet);
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void shouldRefuseAnExistingUnixSocketPathBeforeTheGuestStarts() throws Exception {
        Path taken = Files.createFile(dir.resolve("taken"));
        int status = startRun("--control", "unix:" + taken).get(30, TimeUnit.SECONDS);
        assertEquals(2, status);
        String err = stderr.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("already exists"), err);
        assertFalse(err.contains("bench:"), "the guest never ran");
    }

    @Test
    void shouldRefuseATcpHostOtherThanLoopback() throws Exception {
        int status = startRun("--control", "tcp:0.0.0.0:4444").get(30, TimeUnit.SECONDS);
        assertEquals(2, status);
        assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("127.0.0.1 only"));
    }
}
