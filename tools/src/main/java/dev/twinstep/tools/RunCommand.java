package dev.twinstep.tools;

import dev.twinstep.core.boot.BootException;
import dev.twinstep.core.boot.BootInfo;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.machine.RunResult;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.tools.control.ControlAddress;
import dev.twinstep.tools.control.ControlServer;
import dev.twinstep.tools.control.ControlExtension;
import dev.twinstep.colo.wire.ReplicationAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code twinstep run}: boots a multiboot kernel (a file, or a built-in guest) on a PC (PIC, PIT, RTC,
 * i8042, COM1 and optionally COM2, the primary IDE channel, isa-debug-exit), runs it until it exits,
 * and returns the guest's exit status.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Boot a multiboot kernel and run it until it exits.",
        footer = {"", "Exit status: the guest's isa-debug-exit status ((value << 1) | 1); 0 when the guest just "
                + "stops; 2 for bad input; 3 for an internal error.%n"})
public class RunCommand implements Callable<Integer> {
    /** Exactly one image source. */
    static final class ImageSource {
        @Option(names = "--kernel", paramLabel = "FILE", required = true,
                description = "Multiboot kernel to boot (ELF, or a.out kludge), as QEMU's -kernel.")
        Path kernel;

        @Option(names = "--guest", paramLabel = "NAME", required = true,
                description = "Built-in guest image to boot; 'list' lists them.")
        String guest;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    ImageSource source;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "128M", converter = MemorySizeConverter.class,
            description = "Guest RAM, as QEMU's -m: 128M, 1G, or a plain number of MiB (default: ${DEFAULT-VALUE}).")
    long memoryBytes;

    @Option(names = "--serial", paramLabel = "BACKEND", converter = SerialOption.Converter.class,
            description = "A serial line's back end, as QEMU's -serial: stdio, file:PATH, tcp:HOST:PORT[,server] "
                    + "or none. The first is COM1 (default: stdio), a second one adds COM2.")
    List<SerialOption> serials = new ArrayList<>();

    @Option(names = "--clock", paramLabel = "realtime|icount", defaultValue = "realtime", converter = ClockOption.class,
            description = "Virtual time: the host clock, or instructions x " + MachineConfig.DEFAULT_ICOUNT_PERIOD_NANOS
                    + " ns (deterministic: same output and instruction count on every run) (default: ${DEFAULT-VALUE}).")
    ClockMode clock;

    @Option(names = "--drive", paramLabel = "file=PATH,format=raw,if=ide,index=0|1[,readonly=on]",
            converter = DriveOption.Converter.class,
            description = "A raw disk image on the primary IDE channel, as QEMU's -drive; repeatable.")
    List<DriveOption> drives = new ArrayList<>();

    @Option(names = "--netdev", paramLabel = "BACKEND", converter = NetdevOption.Converter.class,
            description = "Plug a virtio-net NIC with this back end, as QEMU's -netdev: none, "
                    + "stream,server=on|off,addr.type=inet,addr.host=HOST,addr.port=PORT (or addr.type=unix,addr.path=PATH), "
                    + "user[,hostfwd=udp:[HOSTADDR]:HOSTPORT-:GUESTPORT]... or tap,ifname=NAME. Default: no NIC.")
    NetdevOption netdev;

    @Option(names = "--append", paramLabel = "CMDLINE", defaultValue = "",
            description = "Kernel command line after the kernel name, as QEMU's -append.")
    String append;

    @Option(names = "--stats", description = "Print instructions executed, wall time and MIPS to stderr at the end.")
    boolean stats;

    @Option(names = "--debug", description = "Print how the run ended and full stack traces of errors.")
    boolean debug;

    @Option(names = "--control", paramLabel = "unix:PATH|tcp:127.0.0.1:PORT", converter = ControlAddress.Converter.class,
            description = "Listen for QMP-like JSON control commands (query-status, stop, cont, snapshot-save, quit) "
                    + "on this socket; see docs/control-protocol.md.")
    ControlAddress control;

    @Option(names = "--restore", paramLabel = "FILE",
            description = "Continue from this snapshot instead of booting fresh: the machine is built from the "
                    + "same options as the one that wrote it (memory, clock, drives, netdev), then loaded from FILE.")
    Path restore;

    @Option(names = "--incoming", paramLabel = "tcp:HOST:PORT", converter = ReplicationAddressConverter.class,
            description = "Wait for a live migration on this address (as QEMU's -incoming) and run the migrated "
                    + "guest instead of booting: give the same options as the source (memory, clock, drives of the "
                    + "same size, netdev). The network back end starts once the source has handed over.")
    ReplicationAddress incoming;

    @Option(names = "--snapshot-on-exit", paramLabel = "FILE",
            description = "When the run ends, write a full snapshot of the machine to FILE.")
    Path snapshotOnExit;

    private static final int STOP_GRACE_SECONDS = 2;

    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintStream stderr;
    private final GuestCatalog catalog;

    /** @param stdin the guest's input on a {@code --serial stdio} line, or null for none */
    RunCommand(InputStream stdin, OutputStream stdout, PrintStream stderr, GuestCatalog catalog) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.catalog = catalog;
    }

    @Override
    public Integer call() throws Exception {
        if (source.guest != null && source.guest.equals("list")) {
            stdout.write(catalog.listing().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            stdout.flush();
            return ExitCodes.OK;
        }
        String kernelName;
        byte[] image;
        if (source.kernel != null) {
            kernelName = source.kernel.toString();
            image = readKernel(source.kernel);
        } else {
            GuestCatalog.Entry entry = catalog.find(source.guest);
            kernelName = entry.fileName();
            image = catalog.image(entry);
        }
        if (serials.size() > 2) {
            throw new UsageException("at most two --serial options (COM1 and COM2) are supported, got " + serials.size());
        }
        Machine machine = newMachine();
        BootInfo boot;
        try {
            boot = machine.bootMultiboot(image, kernelName, append);
        } catch (BootException e) {
            throw new UsageException(kernelName + ": " + e.getMessage());
        }
        SerialOption com1Option = serials.isEmpty() ? SerialOption.STDIO : serials.get(0);
        IncomingMigration incomingMigration = incoming == null ? null : IncomingMigration.listen(incoming);
        SerialBackend com1 = com1Option.open(stdout, stdin, stderr);
        SerialBackend com2 = serials.size() > 1 ? serials.get(1).open(stdout, stdin, stderr) : null;
        GuestMachine guest = GuestMachine.assemble(machine, com1, com2, drives, netdev, this::wrapNet);
        ControlServer controlServer = null;
        CountDownLatch finished = new CountDownLatch(1);
        Thread stopOnSignal = new Thread(() -> stopAndWait(machine, finished), "twinstep-stop");
        RunResult result;
        try { // back ends and images are closed before the report, or here on failure
            if (incomingMigration == null) {
                guest.startNet(); // a busy port or a missing peer stops here, before the guest runs
            }
            if (debug) {
                stderr.printf("twinstep: booting %s: entry 0x%08x, image 0x%x-0x%x, multiboot info at 0x%x, cmdline \"%s\"%n",
                        kernelName, boot.entry(), boot.kernelLow(), boot.kernelHigh(), boot.infoAddress(), boot.cmdline());
            }
            if (restore != null) {
                restoreSnapshot(machine);
            }
            MigrationCommands migration = new MigrationCommands(guest, stderr);
            List<ControlExtension> extensions = new ArrayList<>(controlExtensions(guest));
            extensions.add(migration);
            controlServer = startControl(machine, extensions);
            if (incomingMigration != null) {
                incomingMigration.receive(guest, stderr);
                guest.startNet();
            }
            Runtime.getRuntime().addShutdownHook(stopOnSignal);
            beforeRun(guest, controlServer);
            result = MachineThread.run(machine);
            afterRun(guest, result);
            if (controlServer != null) {
                controlServer.machineFinished();
            }
            if (snapshotOnExit != null && !migration.migrated()) {
                saveSnapshotOnExit(machine);
            }
            guest.close();
            if (migration.migrated()) {
                stderr.println("twinstep: " + migration.summary());
                stderr.flush();
                return ExitCodes.OK;
            }
            return report(result);
        } finally {
            if (incomingMigration != null) {
                incomingMigration.close();
            }
            guest.close();
            if (controlServer != null) {
                controlServer.close();
            }
            finished.countDown();
            removeHook(stopOnSignal);
        }
    }

    /** What the NIC transmits into, in front of the host back end: the back end itself for a plain run. */
    NetBackend wrapNet(NetBackend host) {
        return host;
    }

    /** Control commands a variant of {@code run} adds. */
    List<ControlExtension> controlExtensions(GuestMachine guest) throws UsageException {
        return List.of();
    }

    /** Runs on the launching thread just before the machine thread starts. */
    void beforeRun(GuestMachine guest, ControlServer controlServer) throws Exception {
    }

    /** Runs on the launching thread once the machine thread has ended. */
    void afterRun(GuestMachine guest, RunResult result) throws Exception {
    }

    /** Loads {@code --restore}; a snapshot that does not fit is a usage error, and nothing of it is loaded. */
    private void restoreSnapshot(Machine machine) throws UsageException {
        try {
            machine.loadSnapshot(restore);
        } catch (StateFormatException e) {
            throw new UsageException("--restore " + restore + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UsageException("--restore " + restore + ": cannot read: " + e.getMessage());
        }
    }

    private void saveSnapshotOnExit(Machine machine) throws UsageException {
        try {
            machine.saveSnapshot(snapshotOnExit);
        } catch (IOException e) {
            throw new UsageException("--snapshot-on-exit " + snapshotOnExit + ": cannot write: " + e.getMessage());
        }
    }

    /** Binds the control socket before the guest starts, so a bad address never costs a run. */
    private ControlServer startControl(Machine machine, List<ControlExtension> extensions) throws UsageException {
        if (control == null) {
            return null;
        }
        try {
            return ControlServer.start(control, machine, extensions);
        } catch (IOException e) {
            throw new UsageException("--control " + control + ": " + e.getMessage());
        }
    }

    /**
     * On Ctrl-C or SIGTERM the JVM runs this hook: stop the guest at a block boundary and give the run
     * a moment to flush the serial output, so the user sees everything the guest printed.
     */
    private static void stopAndWait(Machine machine, CountDownLatch finished) {
        machine.requestStop();
        try {
            finished.await(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running (or has run): the JVM is exiting anyway.
        }
    }

    private int report(RunResult result) {
        if (debug || stats || result.outcome() == RunResult.Outcome.SHUTDOWN || result.outcome() == RunResult.Outcome.RESET) {
            stderr.println("twinstep: " + result.diagnosis());
        }
        if (stats) {
            stderr.println("twinstep: " + result.stats().summary());
        }
        stderr.flush();
        return result.outcome() == RunResult.Outcome.GUEST_EXIT ? result.exitStatus() : ExitCodes.OK;
    }

    private Machine newMachine() throws UsageException {
        try {
            return new Machine(MachineConfig.withRam(memoryBytes).withClock(clock));
        } catch (OutOfMemoryError e) {
            throw new UsageException("cannot allocate " + (memoryBytes >> 20) + " MiB of guest memory ("
                    + e.getMessage() + "): use a smaller --memory or raise the JVM's -XX:MaxDirectMemorySize");
        }
    }

    private static byte[] readKernel(Path kernel) throws UsageException {
        if (!Files.exists(kernel)) {
            throw new UsageException("kernel file '" + kernel + "' does not exist");
        }
        if (!Files.isRegularFile(kernel)) {
            throw new UsageException("kernel '" + kernel + "' is not a regular file");
        }
        try {
            return Files.readAllBytes(kernel);
        } catch (IOException e) {
            throw new UsageException("cannot read kernel file '" + kernel + "': " + e.getMessage());
        }
    }
}
