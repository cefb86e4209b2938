package dev.twinstep.colo.replication;

import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.sync.Handshake;
import dev.twinstep.colo.sync.SyncTarget;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.GuestShutdownException;
import dev.twinstep.colo.wire.ProtocolException;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.state.StateFormatException;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.function.Consumer;

/**
 * The secondary's replication agent (periodic mode): its machine never runs while it is a replica.
 * It accepts a primary, builds the machine the primary describes (first time only), takes the
 * initial sync, reports checkpoint-ready, then stages, verifies and applies each checkpoint whole.
 *
 * <p>{@link #serve()} returns when this end must act: take over (the primary fell silent past the
 * timeout, its connection closed or broke, or the {@code failover} command) or end (the guest shut
 * down on the primary). A refusal either way (a corrupt checkpoint, a primary that stopped
 * replicating) is not a reason to take over, since the primary lives on: the secondary waits for a
 * new sync instead. It takes over only with a complete initial sync and only from the last applied
 * checkpoint; a partial epoch is never applied.
 */
public final class ColoSecondary implements AutoCloseable {
    /** Builds the machine the primary describes in its handshake. */
    @FunctionalInterface
    public interface MachineFactory {
        /** @throws IOException or an unchecked exception with a one-line reason when it cannot */
        ReplicatedMachine build(Handshake.Offer offer) throws IOException;
    }

    /** Why {@link #serve()} returned. */
    public record Outcome(boolean takeOver, String reason, int guestExitStatus) {
    }

    /** A primary that sends nothing for this long during the initial sync is given up. */
    private static final int SYNC_READ_TIMEOUT_MILLIS = 30_000;

    private final ServerSocket listener;
    private final MachineFactory factory;
    private final ColoSettings settings;
    private final Consumer<String> log;
    private final ColoStats stats = new ColoStats();
    private volatile ReplicationChannel channel;
    private volatile String failoverRequest;
    /** Set by the watchdog when it gave the primary up for silence. */
    private volatile String silence;
    private volatile boolean closed;
    private ReplicatedMachine replica;

    /** @param listener bound already, so that a busy port was reported before anything started */
    public ColoSecondary(ServerSocket listener, MachineFactory factory, ColoSettings settings, Consumer<String> log) {
        this.listener = listener;
        this.factory = factory;
        this.settings = settings;
        this.log = log;
        stats.setMode("waiting");
    }

    /** Counters and histograms. */
    public ColoStats stats() {
        return stats;
    }

    /** The machine, once a primary has described it (null before). */
    public synchronized ReplicatedMachine replica() {
        return replica;
    }

    /**
     * The {@code failover} command: take over now from the last applied checkpoint (refused while no
     * initial sync has completed, since there is nothing to run).
     *
     * @return false if there is nothing to take over yet
     */
    public boolean requestFailover(String reason) {
        if (!stats.mode().equals("protected")) {
            return false;
        }
        failoverRequest = reason;
        ReplicationChannel current = channel;
        if (current != null) {
            current.close();
        }
        return true;
    }

    /** Serves primaries until this end must take over or end. */
    public Outcome serve() throws IOException {
        while (!closed) {
            ReplicationChannel connection;
            try {
                connection = ReplicationChannel.accept(listener);
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                throw e;
            }
            channel = connection;
            Outcome outcome = serveOne(connection);
            channel = null;
            connection.close();
            if (outcome != null) {
                stats.setFailoverReason(outcome.reason());
                stats.setMode(outcome.takeOver() ? "failed-over" : "ended");
                return outcome;
            }
            stats.setMode("waiting");
        }
        return new Outcome(false, "closed", 0);
    }

    /** One primary: null when it went away in a way that does not call for a take-over. */
    private Outcome serveOne(ReplicationChannel connection) {
        boolean synced = false;
        silence = null;
        Thread watchdog = null;
        try {
            connection.startHeartbeats(settings.heartbeatMillis());
            Handshake.Offer offer = Handshake.readOffer(connection);
            ReplicatedMachine machine = machineFor(connection, offer);
            Handshake.answer(connection, offer, Handshake.COLO_PERIODIC, machine.describe());
            log.accept("primary " + connection.peer() + " connected: receiving the initial sync");
            stats.setMode("syncing");
            // Before the sync completes there is nothing to take over, so a slow primary (a long
            // first pre-copy round on a busy host) only has to stay within a generous read timeout.
            connection.setReadTimeout(SYNC_READ_TIMEOUT_MILLIS);
            SyncTarget target = new SyncTarget(machine, connection);
            long epoch = target.receiveSync();
            connection.setReadTimeout(0);
            connection.touch();
            watchdog = startWatchdog(connection);
            connection.send(ColoMessage.CHECKPOINT_READY);
            synced = true;
            stats.recordSync(0);
            stats.setMode("protected");
            log.accept("initial sync loaded (" + target.precopyPages() + " pages pre-copied): checkpoint-ready");
            while (true) {
                ColoMessage message = connection.readMessage();
                switch (message) {
                    case CHECKPOINT_REQUEST -> {
                        epoch = connection.in().readLong();
                        long started = System.nanoTime();
                        target.receiveCheckpoint(epoch);
                        stats.recordApplied(epoch, 0, System.nanoTime() - started);
                    }
                    case GUEST_SHUTDOWN -> {
                        int status = (int) connection.in().readLong();
                        log.accept("the guest ended on the primary (status " + status + "): ending too");
                        return new Outcome(false, "guest shut down on the primary", status);
                    }
                    case FAILOVER -> {
                        return new Outcome(true, "the primary asked for a failover", 0);
                    }
                    default -> throw new ProtocolException("unexpected " + message + " between checkpoints");
                }
            }
        } catch (GuestShutdownException e) {
            // It came inside a sync or a checkpoint transaction rather than between checkpoints.
            log.accept(e.getMessage() + ": ending too");
            return new Outcome(false, "guest shut down on the primary", e.status());
        } catch (ProtocolException | StateFormatException e) {
            // A refusal (ours or the primary's): the primary lives on, so no take-over.
            connection.sendError(String.valueOf(e.getMessage()));
            log.accept("replication stopped: " + e.getMessage() + "; waiting for the primary to sync again"
                    + (synced ? " (keeping the last applied checkpoint, epoch " + stats.lastEpoch() + ")" : ""));
            return null;
        } catch (IOException e) {
            String request = failoverRequest;
            String reason = request != null ? request
                    : silence != null ? silence
                    : "replication connection lost (" + e.getMessage() + ")";
            if (!synced) {
                log.accept("primary gone before the initial sync completed (" + reason + "): nothing to take over");
                return null;
            }
            return new Outcome(true, reason, 0);
        } finally {
            if (watchdog != null) {
                watchdog.interrupt();
            }
        }
    }

    private synchronized ReplicatedMachine machineFor(ReplicationChannel connection, Handshake.Offer offer)
            throws IOException {
        if (replica == null) {
            try {
                replica = factory.build(offer);
            } catch (IOException | RuntimeException e) {
                Handshake.refuse(connection, "the secondary cannot build the primary's machine: " + e.getMessage());
            }
        }
        return replica;
    }

    /** Closes the connection when the primary has been silent past the timeout. */
    private Thread startWatchdog(ReplicationChannel connection) {
        long timeout = settings.failoverTimeoutMillis() * 1_000_000L;
        Thread watchdog = new Thread(() -> {
            try {
                while (!connection.isClosed()) {
                    long silent = connection.silentNanos();
                    if (silent >= timeout) {
                        silence = "primary silent for " + silent / 1_000_000L + " ms";
                        connection.close();
                        return;
                    }
                    Thread.sleep(Math.max(1, settings.heartbeatMillis() / 2));
                }
            } catch (InterruptedException stopped) {
                // The connection ended another way.
            }
        }, "twinstep-colo-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        return watchdog;
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
        ReplicationChannel current = channel;
        if (current != null) {
            current.close();
        }
    }
}
