package dev.twinstep.tools;

import dev.twinstep.colo.replication.ColoSettings;
import dev.twinstep.tools.kv.KvClientCommand;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The replication timing options {@code primary} and {@code secondary} share. */
final class ColoOptions {
    @Option(names = "--checkpoint-interval", paramLabel = "TIME", defaultValue = "100ms",
            converter = KvClientCommand.DurationConverter.class,
            description = "Time between checkpoints (the epoch length; output waits up to this long) "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--heartbeat", paramLabel = "TIME", defaultValue = "20ms",
            converter = KvClientCommand.DurationConverter.class,
            description = "Heartbeat period of an idle replication connection (default: ${DEFAULT-VALUE}).")
    Duration heartbeat;

    @Option(names = "--failover-timeout", paramLabel = "TIME", defaultValue = "200ms",
            converter = KvClientCommand.DurationConverter.class,
            description = "Silence after which the peer counts as dead: the secondary takes over, the primary "
                    + "runs on unprotected (default: ${DEFAULT-VALUE}).")
    Duration failoverTimeout;

    /** The settings these options give. */
    ColoSettings settings() throws UsageException {
        try {
            return new ColoSettings((int) checkpointInterval.toMillis(), (int) heartbeat.toMillis(),
                    (int) failoverTimeout.toMillis(), 1000);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
