package dev.twinstep.tools;

import dev.twinstep.colo.net.OutputCommitBackend;
import dev.twinstep.colo.replication.FaultPlan;
import dev.twinstep.colo.wire.ReplicationAddress;
import dev.twinstep.core.machine.RunResult;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.tools.control.ControlExtension;
import dev.twinstep.tools.control.ControlServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code twinstep primary}: {@code run} with COLO protection (periodic mode). The guest boots at
 * once and runs unprotected until the secondary has the initial sync; from then on every checkpoint
 * interval its state goes to the secondary, and its network output leaves only once the checkpoint
 * behind it has been received there.
 */
@Command(name = "primary", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Boot a guest as a COLO primary (periodic mode), replicating to a secondary.",
        footer = {"", "Start the secondary first: twinstep secondary --listen tcp:HOST:PORT --drive ...%n"})
final class PrimaryCommand extends RunCommand {
    @Option(names = "--secondary", paramLabel = "tcp:HOST:PORT", required = true,
            converter = ReplicationAddressConverter.class,
            description = "Where the secondary listens; retried every second while unreachable.")
    ReplicationAddress secondary;

    @Mixin
    ColoOptions colo = new ColoOptions();

    @Option(names = "--x-fault", hidden = true, paramLabel = "KIND:EPOCH",
            description = "Fault injection for tests: corrupt:N, stall-in-transfer:N, stall-after-received:N.")
    String fault;

    private OutputCommitBackend output;
    private PrimaryRole primary;
    private final PrintStream notes;

    PrimaryCommand(InputStream stdin, OutputStream stdout, PrintStream stderr, GuestCatalog catalog) {
        super(stdin, stdout, stderr, catalog);
        this.notes = stderr;
    }

    @Override
    NetBackend wrapNet(NetBackend host) {
        output = new OutputCommitBackend(host);
        return output;
    }

    @Override
    List<ControlExtension> controlExtensions(GuestMachine guest) throws UsageException {
        FaultPlan faults;
        try {
            faults = fault == null ? FaultPlan.NONE : FaultPlan.parse(fault);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--x-fault: " + e.getMessage());
        }
        primary = new PrimaryRole("primary", guest, output, machineOptions(), colo.settings(), faults,
                new ColoLog(notes, "primary"));
        return List.of(new ColoCommands(primary));
    }

    @Override
    void beforeRun(GuestMachine guest, ControlServer controlServer) {
        primary.protectWith(secondary);
    }

    @Override
    void afterRun(GuestMachine guest, RunResult result) {
        primary.guestEnded(result.outcome() == RunResult.Outcome.GUEST_EXIT ? result.exitStatus() : 0);
    }

    /** What the secondary needs to build the same machine: see {@link SecondaryCommand}. */
    private String machineOptions() {
        return MachineOptions.encode(memoryBytes, clock, serials.size() > 1, netdev == null ? null : netdev.text());
    }
}
