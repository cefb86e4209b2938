package dev.twinstep.tools;

import dev.twinstep.colo.net.OutputCommitBackend;
import dev.twinstep.colo.net.StandbyBackend;
import dev.twinstep.colo.replication.ColoSecondary;
import dev.twinstep.colo.replication.ColoSettings;
import dev.twinstep.colo.replication.ColoStats;
import dev.twinstep.colo.replication.FaultPlan;
import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.colo.sync.Handshake;
import dev.twinstep.colo.wire.ReplicationAddress;
import dev.twinstep.colo.wire.ReplicationChannel;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.machine.RunResult;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.tools.control.ControlAddress;
import dev.twinstep.tools.control.ControlServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code twinstep secondary}: the standby end of COLO (periodic mode). It builds the machine the
 * primary describes, with its own disk images, keeps it at the last applied checkpoint without
 * running it, and takes over when the primary falls silent, its connection breaks, or on the
 * {@code failover} command: the guest resumes here from the last applied checkpoint and the NIC is
 * attached to the same network endpoint (the {@code user} forwarding port is bound again; {@code
 * --netdev} may name another). After a take-over it is an unprotected primary that {@code
 * colo-protect} can pair with a new secondary.
 */
@Command(name = "secondary", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Wait for a COLO primary, mirror its guest, and take over if it dies.",
        footer = {"", "Exit status: as 'run' once the guest has taken over here; the primary's guest status if it "
                + "ended there; 2 for bad input.%n"})
final class SecondaryCommand implements Callable<Integer> {
    /** How long a take-over waits for the primary's network endpoint (e.g. its host port) to become free. */
    private static final long TAKE_OVER_ENDPOINT_MILLIS = 5000;
    private static final int STOP_GRACE_SECONDS = 2;

    @Option(names = "--listen", paramLabel = "tcp:HOST:PORT", required = true, converter = ReplicationAddressConverter.class,
            description = "Where to wait for the primary.")
    ReplicationAddress listen;

    @Option(names = "--drive", paramLabel = "file=PATH,format=raw,if=ide,index=0|1[,readonly=on]",
            converter = DriveOption.Converter.class,
            description = "This end's own disk images, the same sizes as the primary's; their contents are replaced "
                    + "by the primary's.")
    List<DriveOption> drives = new ArrayList<>();

    @Option(names = "--serial", paramLabel = "BACKEND", converter = SerialOption.Converter.class,
            description = "Serial back ends of the guest once it runs here (default: stdio; COM2 if the primary has one: none).")
    List<SerialOption> serials = new ArrayList<>();

    @Option(names = "--netdev", paramLabel = "BACKEND", converter = NetdevOption.Converter.class,
            description = "The network back end to take over with; default: the primary's own (same host port).")
    NetdevOption netdev;

    @Option(names = "--control", paramLabel = "unix:PATH|tcp:127.0.0.1:PORT", converter = ControlAddress.Converter.class,
            description = "Control socket (query-colo-status, failover, colo-protect, ...), open once the primary "
                    + "has described the machine.")
    ControlAddress control;

    @Mixin
    ColoOptions colo = new ColoOptions();

    @Option(names = "--debug", description = "Print how the run ended and full stack traces of errors.")
    boolean debug;

    @Option(names = "--warm-up", paramLabel = "TIME", defaultValue = "3s",
            converter = dev.twinstep.tools.kv.KvClientCommand.DurationConverter.class,
            description = "Run a throwaway guest this long at start so the JVM has compiled the emulator before "
                    + "a take-over needs it; 0s for none (default: ${DEFAULT-VALUE}).")
    java.time.Duration warmUp;

    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintStream stderr;
    private GuestMachine guest;
    private StandbyBackend standby;
    private OutputCommitBackend output;
    private String machineOptions;
    private ControlServer controlServer;
    private volatile ColoCommands.Agent agent;

    private final GuestCatalog catalog;

    SecondaryCommand(InputStream stdin, OutputStream stdout, PrintStream stderr, GuestCatalog catalog) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.catalog = catalog;
    }

    @Override
    public Integer call() throws Exception {
        ColoSettings settings = colo.settings();
        if (serials.size() > 2) {
            throw new UsageException("at most two --serial options (COM1 and COM2) are supported, got " + serials.size());
        }
        ServerSocket listener = bind();
        if (!warmUp.isZero()) {
            JitWarmUp.start(catalog, warmUp.toMillis());
        }
        ColoLog log = new ColoLog(stderr, "secondary");
        ColoSecondary secondary = new ColoSecondary(listener, this::build, settings, log);
        agent = new SecondaryAgent(secondary);
        log.accept("waiting for a primary on " + listen);
        CountDownLatch finished = new CountDownLatch(1);
        Thread stopOnSignal = new Thread(() -> {
            secondary.close();
            GuestMachine g = guest;
            if (g != null) {
                g.machine.requestStop();
            }
            try {
                finished.await(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "twinstep-stop");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        try {
            ColoSecondary.Outcome outcome = secondary.serve();
            if (!outcome.takeOver()) {
                return outcome.guestExitStatus();
            }
            return takeOver(secondary, outcome, settings, log);
        } finally {
            secondary.close();
            if (guest != null) {
                guest.close();
            }
            if (controlServer != null) {
                controlServer.close();
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnSignal);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs: the JVM is exiting anyway.
            }
        }
    }

    private ServerSocket bind() throws UsageException {
        try {
            ServerSocket server = ReplicationChannel.listen(listen.socketAddress(), 50);
            return server;
        } catch (IOException e) {
            throw new UsageException("--listen " + listen + ": cannot listen: " + e.getMessage());
        }
    }

    /** Builds the primary's machine with this end's drives; NIC output goes nowhere until a take-over. */
    private ReplicatedMachine build(Handshake.Offer offer) throws IOException {
        try {
            MachineOptions options = MachineOptions.decode(offer.machineOptions());
            machineOptions = offer.machineOptions();
            NetdevOption net = netdev;
            if (net == null && options.netdev() != null) {
                try {
                    net = new NetdevOption.Converter().convert(options.netdev());
                } catch (TypeConversionException e) {
                    throw new IOException("the primary's --netdev " + options.netdev() + ": " + e.getMessage());
                }
            }
            Machine machine = new Machine(MachineConfig.withRam(options.memoryBytes()).withClock(options.clock()));
            SerialBackend com1 = (serials.isEmpty() ? SerialOption.STDIO : serials.get(0)).open(stdout, stdin, stderr);
            SerialBackend com2 = null;
            if (options.com2()) {
                com2 = (serials.size() > 1 ? serials.get(1) : SerialOption.NONE).open(stdout, stdin, stderr);
            }
            guest = GuestMachine.assemble(machine, com1, com2, drives, net, host -> {
                standby = new StandbyBackend();
                output = new OutputCommitBackend(standby);
                return output;
            });
            guest.startNet(); // the standby: nothing is bound before a take-over
            if (control != null) {
                controlServer = ControlServer.start(control, machine, List.of(new ColoCommands(new DelegatingAgent())));
            }
            return guest.replica();
        } catch (UsageException e) {
            throw new IOException(e.getMessage());
        }
    }

    private int takeOver(ColoSecondary secondary, ColoSecondary.Outcome outcome, ColoSettings settings, ColoLog log)
            throws Exception {
        log.accept("TAKING OVER (" + outcome.reason() + "): resuming the guest from checkpoint "
                + secondary.stats().lastEpoch());
        if (standby != null) {
            activateNetwork(log);
        }
        PrimaryRole promoted = new PrimaryRole("primary (took over)", guest, output, machineOptions, settings,
                FaultPlan.NONE, new ColoLog(stderr, "primary"));
        ColoStats before = secondary.stats();
        agent = new PromotedAgent(promoted, before);
        if (controlServer != null) {
            controlServer.broadcastEvent("COLO_FAILOVER", before.toMap());
        }
        RunResult result = MachineThread.run(guest.machine);
        promoted.guestEnded(result.outcome() == RunResult.Outcome.GUEST_EXIT ? result.exitStatus() : 0);
        if (controlServer != null) {
            controlServer.machineFinished();
        }
        guest.close();
        if (debug || result.outcome() == RunResult.Outcome.SHUTDOWN || result.outcome() == RunResult.Outcome.RESET) {
            stderr.println("twinstep: " + result.diagnosis());
        }
        return result.outcome() == RunResult.Outcome.GUEST_EXIT ? result.exitStatus() : ExitCodes.OK;
    }

    /**
     * Attaches the NIC to the real back end. On one host the primary's endpoint (its forwarding port)
     * is free only once the primary is really gone, so a busy endpoint is retried for a while: that
     * wait is also what keeps a live primary and this end from serving at once.
     */
    private void activateNetwork(ColoLog log) throws UsageException, InterruptedException {
        long deadline = System.nanoTime() + TAKE_OVER_ENDPOINT_MILLIS * 1_000_000L;
        // The back end built with the machine is used for the first attempt only: a back end whose
        // start failed has closed itself (its I/O thread would end at once), so each retry gets a
        // new one.
        NetBackend real = guest.hostBackend;
        while (true) {
            try {
                standby.activate(real);
                output.passThrough();
                log.accept("network endpoint taken over (" + guest.netdev().text() + ")");
                return;
            } catch (IOException e) {
                real.close();
                real = guest.netdev().create();
                if (System.nanoTime() > deadline) {
                    throw new UsageException("cannot take the network endpoint over (" + guest.netdev().text() + "): "
                            + e.getMessage() + "; is the primary still alive?");
                }
                Thread.sleep(20);
            }
        }
    }

    /** The control commands' view, which changes at a take-over. */
    private final class DelegatingAgent implements ColoCommands.Agent {
        @Override
        public String role() {
            return agent.role();
        }

        @Override
        public ColoStats stats() {
            return agent.stats();
        }

        @Override
        public OutputCommitBackend output() {
            return agent.output();
        }

        @Override
        public String failover() {
            return agent.failover();
        }

        @Override
        public String protect(String secondary) {
            return agent.protect(secondary);
        }

        @Override
        public String checkpointNow() {
            return agent.checkpointNow();
        }
    }

    /** Before a take-over. */
    private static final class SecondaryAgent implements ColoCommands.Agent {
        private final ColoSecondary secondary;

        SecondaryAgent(ColoSecondary secondary) {
            this.secondary = secondary;
        }

        @Override
        public String role() {
            return "secondary";
        }

        @Override
        public ColoStats stats() {
            return secondary.stats();
        }

        @Override
        public OutputCommitBackend output() {
            return null;
        }

        @Override
        public String failover() {
            return secondary.requestFailover("failover command") ? null
                    : "no initial sync has completed: there is no guest to take over";
        }

        @Override
        public String protect(String address) {
            return "a secondary cannot protect its guest before it has taken over";
        }

        @Override
        public String checkpointNow() {
            return "checkpoints are the primary's to take";
        }
    }

    /** After a take-over: a primary that runs unprotected until colo-protect. */
    private static final class PromotedAgent implements ColoCommands.Agent {
        private final PrimaryRole role;
        private final ColoStats asSecondary;

        PromotedAgent(PrimaryRole role, ColoStats asSecondary) {
            this.role = role;
            this.asSecondary = asSecondary;
        }

        @Override
        public String role() {
            return role.role();
        }

        @Override
        public ColoStats stats() {
            ColoStats stats = role.stats();
            return stats.checkpoints() > 0 || !stats.mode().equals("none") ? stats : asSecondary;
        }

        @Override
        public OutputCommitBackend output() {
            return role.output();
        }

        @Override
        public String failover() {
            return role.failover();
        }

        @Override
        public String protect(String secondary) {
            return role.protect(secondary);
        }

        @Override
        public String checkpointNow() {
            return role.checkpointNow();
        }
    }
}
