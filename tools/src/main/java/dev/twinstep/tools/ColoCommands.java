package dev.twinstep.tools;

import dev.twinstep.colo.net.OutputCommitBackend;
import dev.twinstep.colo.net.OutputCommitStats;
import dev.twinstep.colo.replication.ColoStats;
import dev.twinstep.tools.control.CommandException;
import dev.twinstep.tools.control.ControlExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The control socket's COLO commands, on either end:
 * {@code query-colo-status} (mode, role, epoch, checkpoint counts, pause and round-trip percentiles,
 * bytes sent, held output, failover reason), {@code colo-checkpoint} (a checkpoint now rather than at
 * the end of the interval), {@code failover} (secondary: take over now; primary:
 * drop the secondary and run on unprotected) and {@code colo-protect {"secondary": "tcp:HOST:PORT"}}
 * (replicate to a new secondary without stopping the guest).
 */
final class ColoCommands implements ControlExtension {
    /** What the commands act on; the role changes when a secondary takes over. */
    interface Agent {
        /** "primary" or "secondary". */
        String role();

        /** The current counters. */
        ColoStats stats();

        /** The NIC's output buffer, or null. */
        OutputCommitBackend output();

        /** Performs {@code failover}; returns a refusal message, or null when done. */
        String failover();

        /** Performs {@code colo-protect}; returns a refusal message, or null when started. */
        String protect(String secondary);

        /** Performs {@code colo-checkpoint}; returns a refusal message, or null when requested. */
        String checkpointNow();
    }

    private final Agent agent;

    ColoCommands(Agent agent) {
        this.agent = agent;
    }

    @Override
    public Set<String> commands() {
        return Set.of("query-colo-status", "failover", "colo-protect", "colo-checkpoint");
    }

    @Override
    public Map<String, Object> execute(String name, Map<String, Object> arguments) throws CommandException {
        switch (name) {
            case "query-colo-status" -> {
                ControlExtension.allowOnly(arguments, Set.of());
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("role", agent.role());
                status.putAll(agent.stats().toMap());
                OutputCommitBackend output = agent.output();
                if (output != null) {
                    OutputCommitStats held = output.commitStats();
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("held-frames", held.framesHeld());
                    out.put("released-frames", held.framesReleased.get());
                    out.put("dropped-full", held.framesDroppedFull.get());
                    out.put("max-hold-us", held.maxHoldNanos.get() / 1000);
                    status.put("output", out);
                }
                return status;
            }
            case "colo-checkpoint" -> {
                ControlExtension.allowOnly(arguments, Set.of());
                String refusal = agent.checkpointNow();
                if (refusal != null) {
                    throw new CommandException(refusal);
                }
                return Map.of();
            }
            case "failover" -> {
                ControlExtension.allowOnly(arguments, Set.of());
                String refusal = agent.failover();
                if (refusal != null) {
                    throw new CommandException(refusal);
                }
                return Map.of();
            }
            default -> {
                ControlExtension.allowOnly(arguments, Set.of("secondary"));
                String refusal = agent.protect(ControlExtension.requireString(arguments, "secondary"));
                if (refusal != null) {
                    throw new CommandException(refusal);
                }
                return Map.of();
            }
        }
    }
}
