package dev.twinstep.colo.replication;

import dev.twinstep.colo.net.OutputCommitBackend;
import dev.twinstep.colo.state.EpochCapture;
import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.sync.Handshake;
import dev.twinstep.colo.sync.SyncSource;
import dev.twinstep.colo.wire.ColoMessage;
import dev.twinstep.colo.wire.ReplicationAddress;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.machine.Machine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * The primary's replication agent (periodic mode). On its own thread: connects to the secondary,
 * runs the initial sync (pre-copy while the guest runs, then a stop-and-copy), waits for
 * checkpoint-ready, then every checkpoint interval pauses the machine only to stage the epoch
 * (dirty pages, device state, dirty sectors) and close the output epoch, resumes it, and runs the
 * checkpoint transaction; the guest's output of epoch k leaves when the secondary reports
 * vmstate-received for k. If the secondary is lost (error, silence past the timeout, refusal) the
 * held output is released, the guest runs on unprotected, and the agent keeps trying to reach a
 * secondary at the same address, syncing it from scratch without stopping the guest.
 */
public final class ColoPrimary implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 1000;
    /** How long a deliberate end of replication waits for the secondary to read the last message. */
    private static final int GRACEFUL_CLOSE_MILLIS = 1000;
    /** Until the secondary is ready there is nothing to protect, so it may be slow (a busy host). */
    private static final int SYNC_READ_TIMEOUT_MILLIS = 30_000;

    private final ReplicatedMachine replica;
    private final OutputCommitBackend output;
    private final String machineOptions;
    private final ColoSettings settings;
    private final FaultPlan faults;
    private final Consumer<String> log;
    private final ColoStats stats = new ColoStats();
    private final Object wakeLock = new Object();
    private volatile ReplicationAddress target;
    private volatile boolean closed;
    private volatile ReplicationChannel channel;
    private boolean checkpointNow;
    private Thread thread;
    /** Epoch numbers when the machine has no NIC (and so no output buffer to number them). */
    private long epochWithoutNic;

    /**
     * @param output the NIC's output buffer, or null for a machine without a NIC
     * @param machineOptions what a secondary needs to build the same machine (sent in the handshake)
     * @param log one line per event, for humans
     */
    public ColoPrimary(ReplicatedMachine replica, OutputCommitBackend output, String machineOptions, ReplicationAddress target,
            ColoSettings settings, FaultPlan faults, Consumer<String> log) {
        this.replica = replica;
        this.output = output;
        this.machineOptions = machineOptions;
        this.target = target;
        this.settings = settings;
        this.faults = faults;
        this.log = log;
        if (output != null) {
            output.passThrough(); // unprotected until a secondary has loaded the machine
        }
    }

    /** Starts the replication thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        stats.setMode("unprotected");
        thread = new Thread(this::loop, "twinstep-colo-primary");
        thread.setDaemon(true);
        thread.start();
    }

    /** Replicates to {@code address} from now on (a new secondary); the current one, if any, is dropped. */
    public void retarget(ReplicationAddress address) {
        target = address;
        ReplicationChannel current = channel;
        if (current != null) {
            current.sendError("the primary replicates elsewhere now");
            current.shutdownOutput(); // the replication thread sees the secondary close, and moves on
        }
        wake(false);
    }

    /** Takes a checkpoint as soon as possible rather than at the end of the interval. */
    public void checkpointNow() {
        wake(true);
    }

    /** Counters and histograms. */
    public ColoStats stats() {
        return stats;
    }

    /** Where the agent replicates to. */
    public ReplicationAddress target() {
        return target;
    }

    private void wake(boolean checkpoint) {
        synchronized (wakeLock) {
            checkpointNow |= checkpoint;
            wakeLock.notifyAll();
        }
    }

    private void loop() {
        EpochCapture capture = new EpochCapture(replica);
        boolean reportedUnreachable = false;
        while (!closed) {
            ReplicationAddress address = target;
            try (ReplicationChannel connection = ReplicationChannel.connect(address, CONNECT_TIMEOUT_MILLIS)) {
                channel = connection;
                reportedUnreachable = false;
                connection.setReadTimeout(SYNC_READ_TIMEOUT_MILLIS);
                connection.startHeartbeats(settings.heartbeatMillis());
                try {
                    replicate(connection, capture, address);
                } catch (IOException e) {
                    if (closed || target != address) { // we ended it: let the refusal be read first
                        connection.drainUntilClosed(GRACEFUL_CLOSE_MILLIS);
                    }
                    throw e;
                }
                if (closed) {
                    connection.drainUntilClosed(GRACEFUL_CLOSE_MILLIS);
                }
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                boolean wasProtected = stats.mode().equals("protected");
                String reason = e.getMessage() != null ? e.getMessage() : e.toString();
                unprotect(reason);
                if (wasProtected || !reportedUnreachable) {
                    log.accept((wasProtected ? "secondary lost (" : "no secondary synced at " + address + " (") + reason
                            + "): the guest runs on UNPROTECTED; retrying every " + settings.reconnectMillis() + " ms");
                    reportedUnreachable = true;
                }
            } catch (InterruptedException e) {
                break;
            } finally {
                channel = null;
            }
            sleep(settings.reconnectMillis());
        }
    }

    private void replicate(ReplicationChannel connection, EpochCapture capture, ReplicationAddress address)
            throws IOException, InterruptedException {
        Machine machine = replica.machine();
        stats.setMode("syncing");
        Handshake.offer(connection, Handshake.COLO_PERIODIC, replica.describe(), machineOptions);
        log.accept("secondary " + address + " connected: initial sync");
        SyncSource sync = new SyncSource(replica, connection, capture, SyncSource.Options.DEFAULT, line -> { });
        SyncSource.Report report = sync.run(0, () -> {
            if (output != null) {
                output.protect();
            }
        });
        try {
            connection.expect(ColoMessage.CHECKPOINT_READY);
        } finally {
            machine.resume(); // the sync's stop-and-copy hold
        }
        connection.setReadTimeout(settings.failoverTimeoutMillis());
        stats.recordSync(report.bytesSent());
        stats.setMode("protected");
        log.accept(String.format("protected: initial sync of %d MiB done, stop-and-copy %.1f ms; checkpoints every %d ms",
                report.bytesSent() >> 20, report.stopAndCopyNanos() / 1e6, settings.checkpointMillis()));
        long nextStart = System.nanoTime();
        while (!closed) {
            nextStart += settings.checkpointMillis() * 1_000_000L;
            awaitCheckpointTime(nextStart);
            if (closed) {
                return;
            }
            long begin = System.nanoTime();
            if (begin - nextStart > settings.checkpointMillis() * 1_000_000L) {
                nextStart = begin; // a slow checkpoint: do not try to catch up with a burst
            }
            checkpoint(connection, capture, begin);
        }
    }

    private void checkpoint(ReplicationChannel connection, EpochCapture capture, long begin)
            throws IOException, InterruptedException {
        try {
            checkpointOnce(connection, capture, begin);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void checkpointOnce(ReplicationChannel connection, EpochCapture capture, long begin)
            throws IOException, InterruptedException {
        // The machine thread stages the epoch itself at a block boundary: the guest stands still only
        // for the copy, not for two thread hand-offs.
        long[] taken = new long[2];
        replica.machine().atBoundary(() -> {
            long start = System.nanoTime();
            taken[0] = output != null ? output.closeEpoch() : ++epochWithoutNic;
            try {
                capture.capture();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            taken[1] = System.nanoTime() - start;
        });
        long epoch = taken[0];
        long pause = taken[1];
        if (faults.at(FaultPlan.Kind.STALL_IN_TRANSFER, epoch)) {
            connection.send(ColoMessage.CHECKPOINT_REQUEST, epoch);
            connection.expect(ColoMessage.CHECKPOINT_REPLY, epoch);
            connection.stopHeartbeats();
            capture.sendFirstHalf(connection);
            stall("stall-in-transfer " + epoch);
        }
        SyncSource.checkpoint(connection, capture, epoch, faults.at(FaultPlan.Kind.CORRUPT, epoch), () -> {
            if (output != null) {
                output.release(epoch);
            }
            if (faults.at(FaultPlan.Kind.STALL_AFTER_RECEIVED, epoch)) {
                stall("stall-after-received " + epoch);
            }
        });
        stats.recordCheckpoint(epoch, pause, System.nanoTime() - begin, capture.pageCount(), capture.wireBytes());
    }

    private void stall(String marker) {
        log.accept("test-fault " + marker);
        while (true) {
            sleep(60_000);
        }
    }

    private void awaitCheckpointTime(long deadline) throws InterruptedException {
        synchronized (wakeLock) {
            while (!closed && !checkpointNow) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    break;
                }
                wakeLock.wait(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
            checkpointNow = false;
        }
    }

    private void unprotect(String reason) {
        if (output != null) {
            output.passThrough();
        }
        stats.setFailoverReason(reason == null ? "" : reason);
        stats.setMode("unprotected");
    }

    private void sleep(long millis) {
        synchronized (wakeLock) {
            try {
                if (!closed) {
                    wakeLock.wait(millis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The guest has ended with {@code status}: tell the secondary (which then ends too instead of
     * taking over) and stop replicating. Held output is released: nothing can take the guest over now.
     */
    public void guestEnded(int status) {
        closed = true;
        ReplicationChannel current = channel;
        if (current != null) {
            try {
                current.send(ColoMessage.GUEST_SHUTDOWN, status);
            } catch (IOException ignored) {
                // The secondary is gone already.
            }
        }
        close();
    }

    /** Stops replicating; the secondary is told so (it must not take over a primary that lives on). */
    @Override
    public void close() {
        closed = true;
        ReplicationChannel current = channel;
        if (current != null) {
            current.sendError("the primary stopped replicating");
            current.shutdownOutput(); // the replication thread drains to the secondary's close
        }
        if (output != null) {
            output.passThrough();
        }
        wake(false);
        stats.setMode("none");
    }
}
