package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.colo.replication.ColoSecondary;
import dev.twinstep.colo.replication.ColoSettings;
import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.wire.ReplicationChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.zip.CRC32C;

/**
 * The secondary of the round-trip benchmark, in a process of its own as in a real deployment: the
 * real {@link ColoSecondary} agent (handshake, initial sync, then stage, verify, validate and apply
 * every checkpoint whole, heartbeats and watchdog) serving a {@link CheckpointPc} of the size given.
 *
 * <p>Protocol with {@link SecondaryProcess} on standard output: first {@code listening PORT} (a
 * loopback port of the system's choosing), and when the primary ends replication with a
 * guest-shutdown, {@code ram-crc32c HEX} of the replica's RAM, so that the benchmark can check that
 * every checkpoint it timed was applied. The process ends when its standard input closes (the
 * benchmark's JVM is gone), so it never outlives its parent.
 */
public final class SecondaryMain {
    /** Silence from the primary tolerated between JMH iterations, far above any pause of the run. */
    private static final ColoSettings SETTINGS = new ColoSettings(100, 20, 30_000, 1000);

    private SecondaryMain() {
    }

    /** Arguments: guest RAM in MiB. */
    public static void main(String[] args) throws IOException {
        long ramBytes = Long.parseLong(args[0]) << 20;
        exitWhenParentGoes(System.in);
        PrintStream out = System.out;
        ColoSecondary.MachineFactory factory = offer -> CheckpointPc.build(ramBytes).replica();
        try (ServerSocket listener = ReplicationChannel.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                ColoSecondary secondary = new ColoSecondary(listener, factory, SETTINGS,
                        line -> System.err.println("checkpoint secondary: " + line))) {
            out.println("listening " + listener.getLocalPort());
            out.flush();
            ColoSecondary.Outcome outcome = secondary.serve();
            ReplicatedMachine replica = secondary.replica();
            if (outcome.takeOver() || replica == null) {
                System.err.println("checkpoint secondary: replication ended without a guest shutdown: " + outcome.reason());
                System.exit(2);
            }
            out.println("ram-crc32c " + Long.toHexString(ramChecksum(replica)));
            out.flush();
        }
    }

    /** CRC32C of the whole RAM buffer, the figure both ends compare. */
    static long ramChecksum(ReplicatedMachine replica) {
        CRC32C crc = new CRC32C();
        crc.update(replica.machine().memory().ram().byteBuffer().duplicate().clear());
        return crc.getValue();
    }

    private static void exitWhenParentGoes(InputStream in) {
        Thread watcher = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // The parent writes nothing; only the end of the stream matters.
                }
            } catch (IOException ignored) {
                // Same as end of stream: the parent is gone.
            }
            System.exit(3);
        }, "checkpoint-secondary-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
