package dev.twinstep.tools;

import dev.twinstep.colo.state.EpochCapture;
import dev.twinstep.colo.sync.Handshake;
import dev.twinstep.colo.sync.SyncSource;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ReplicationAddress;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.tools.control.CommandException;
import dev.twinstep.tools.control.ControlExtension;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The control socket's live-migration commands: {@code migrate {"uri": "tcp:HOST:PORT"}} copies the
 * running machine to a {@code run --incoming} process (pre-copy rounds while the guest runs, then a
 * stop-and-copy with devices and disk), hands the guest's network endpoint over and stops this
 * machine; {@code query-migrate} reports the last attempt. The reply to {@code migrate} comes when
 * the migration has completed or failed (a failed one leaves the guest running here).
 */
final class MigrationCommands implements ControlExtension {
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;

    private final GuestMachine guest;
    private final PrintStream notes;
    private volatile boolean migrated;
    private volatile Map<String, Object> last = Map.of("status", "none");

    MigrationCommands(GuestMachine guest, PrintStream notes) {
        this.guest = guest;
        this.notes = notes;
    }

    @Override
    public Set<String> commands() {
        return Set.of("migrate", "query-migrate");
    }

    /** Whether this machine's guest has moved away. */
    boolean migrated() {
        return migrated;
    }

    /** One line about the completed migration. */
    String summary() {
        Map<String, Object> report = last;
        return "migrated to " + report.get("uri") + ": downtime " + report.get("downtime-ms") + " ms, "
                + report.get("rounds") + " pre-copy rounds, " + report.get("total-bytes") + " bytes";
    }

    @Override
    public Map<String, Object> execute(String name, Map<String, Object> arguments) throws CommandException, InterruptedException {
        if (name.equals("query-migrate")) {
            ControlExtension.allowOnly(arguments, Set.of());
            return last;
        }
        ControlExtension.allowOnly(arguments, Set.of("uri"));
        String uri = ControlExtension.requireString(arguments, "uri");
        ReplicationAddress address;
        try {
            address = ReplicationAddress.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new CommandException("Parameter 'uri': " + e.getMessage());
        }
        if (migrated) {
            throw new CommandException("the guest has already migrated away");
        }
        return migrate(address);
    }

    private Map<String, Object> migrate(ReplicationAddress address) throws CommandException, InterruptedException {
        Machine machine = guest.machine;
        long started = System.nanoTime();
        try (ReplicationChannel channel = ReplicationChannel.connect(address, CONNECT_TIMEOUT_MILLIS)) {
            Handshake.offer(channel, Handshake.MIGRATE, guest.replica().describe(), "");
            SyncSource source = new SyncSource(guest.replica(), channel, new EpochCapture(guest.replica()),
                    SyncSource.Options.DEFAULT, line -> note("migrate: " + line));
            SyncSource.Report report = source.run(0, () -> { });
            // Paused since the stop-and-copy began: stop for good, free the endpoint, then hand over.
            long pausedNanos = report.stopAndCopyNanos();
            long handoverStarted = System.nanoTime();
            migrated = true;
            guest.releaseNet();
            channel.send(ColoMessage.HANDOVER);
            long downtime = pausedNanos + (System.nanoTime() - handoverStarted);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("status", "completed");
            result.put("uri", address.toString());
            result.put("downtime-ms", Math.round(downtime / 1e4) / 100.0);
            result.put("stop-and-copy-ms", Math.round(pausedNanos / 1e4) / 100.0);
            result.put("total-time-ms", Math.round((System.nanoTime() - started) / 1e4) / 100.0);
            result.put("rounds", report.rounds());
            result.put("final-pages", report.finalPages());
            result.put("final-sectors", report.finalSectors());
            result.put("total-bytes", report.bytesSent());
            last = result;
            note("migrate: completed, downtime " + result.get("downtime-ms") + " ms");
            return result;
        } catch (IOException | RuntimeException e) {
            Map<String, Object> failed = new LinkedHashMap<>();
            failed.put("status", "failed");
            failed.put("uri", address.toString());
            failed.put("error", String.valueOf(e.getMessage()));
            last = failed;
            throw new CommandException("migration to " + address + " failed: " + e.getMessage()
                    + "; the guest runs on here");
        }
    }

    /** The machine stops once the client has its reply (it stays paused until then). */
    @Override
    public void afterReply(String name) {
        if (name.equals("migrate") && migrated) {
            guest.machine.requestStop();
        }
    }

    private void note(String line) {
        notes.println("twinstep: " + line);
        notes.flush();
    }
}
