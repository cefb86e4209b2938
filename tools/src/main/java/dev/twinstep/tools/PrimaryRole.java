package dev.twinstep.tools;

import dev.twinstep.colo.net.OutputCommitBackend;
import dev.twinstep.colo.replication.ColoPrimary;
import dev.twinstep.colo.replication.ColoSettings;
import dev.twinstep.colo.replication.ColoStats;
import dev.twinstep.colo.replication.FaultPlan;
import dev.twinstep.colo.wire.ReplicationAddress;
import java.util.function.Consumer;

/**
 * A running guest that can be protected by a secondary: the {@code primary} command's guest, or a
 * secondary's guest after it took over. Owns the replication agent, starts it on demand and answers
 * the COLO control commands for it.
 */
final class PrimaryRole implements ColoCommands.Agent {
    private final GuestMachine guest;
    private final OutputCommitBackend output;
    private final String machineOptions;
    private final ColoSettings settings;
    private final FaultPlan faults;
    private final Consumer<String> log;
    private final String role;
    private ColoPrimary agent;
    private ColoStats lastStats = new ColoStats();

    PrimaryRole(String role, GuestMachine guest, OutputCommitBackend output, String machineOptions, ColoSettings settings,
            FaultPlan faults, Consumer<String> log) {
        this.role = role;
        this.guest = guest;
        this.output = output;
        this.machineOptions = machineOptions;
        this.settings = settings;
        this.faults = faults;
        this.log = log;
    }

    /** Starts replicating to {@code secondary}, or switches to it if already replicating. */
    synchronized void protectWith(ReplicationAddress secondary) {
        if (agent == null) {
            agent = new ColoPrimary(guest.replica(), output, machineOptions, secondary, settings, faults, log);
            agent.start();
        } else {
            agent.retarget(secondary);
        }
    }

    /** The guest ended: the secondary is told, so it ends too. */
    synchronized void guestEnded(int status) {
        if (agent != null) {
            agent.guestEnded(status);
        }
    }

    @Override
    public String role() {
        return role;
    }

    @Override
    public synchronized ColoStats stats() {
        return agent != null ? agent.stats() : lastStats;
    }

    @Override
    public OutputCommitBackend output() {
        return output;
    }

    @Override
    public synchronized String failover() {
        if (agent == null) {
            return "this guest is not replicated: nothing to fail over";
        }
        agent.close();
        lastStats = agent.stats();
        lastStats.setFailoverReason("failover command: the secondary was dropped");
        lastStats.setMode("unprotected");
        agent = null;
        log.accept("failover command: secondary dropped, the guest runs on UNPROTECTED");
        return null;
    }

    @Override
    public synchronized String checkpointNow() {
        if (agent == null) {
            return "this guest is not replicated: no checkpoint to take";
        }
        agent.checkpointNow();
        return null;
    }

    @Override
    public String protect(String secondary) {
        try {
            protectWith(ReplicationAddress.parse(secondary));
            return null;
        } catch (IllegalArgumentException e) {
            return "Parameter 'secondary': " + e.getMessage();
        }
    }
}
