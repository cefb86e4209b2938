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
import dev.twinstep.devices.storage.AtaChannel;
import dev.twinstep.tools.control.ControlAddress;
import dev.twinstep.tools.control.ControlServer;
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
public final class RunCommand implements Callable<Integer> {
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
        Machine machine = newMachine();
        BootInfo boot;
        try {
            boot = machine.bootMultiboot(image, kernelName, append);
        } catch (BootException e) {
            throw new UsageException(kernelName + ": " + e.getMessage());
        }
        if (serials.size() > 2) {
            throw new UsageException("at most two --serial options (COM1 and COM2) are supported, got " + serials.size());
        }
        SerialOption com1Option = serials.isEmpty() ? SerialOption.STDIO : serials.get(0);
        SerialBackend com1 = com1Option.open(stdout, stdin, stderr);
        SerialBackend com2 = null;
        AtaChannel ide = null;
        NetBackend net = null;
        ControlServer controlServer = null;
        CountDownLatch finished = new CountDownLatch(1);
        Thread stopOnSignal = new Thread(() -> stopAndWait(machine, finished), "twinstep-stop");
        RunResult result;
        boolean closed = false;
        try { // back ends and images are closed before the report, or here on failure
            if (serials.size() > 1) {
                com2 = serials.get(1).open(stdout, stdin, stderr);
            }
            PcPlatform platform = PcPlatform.attach(machine, com1, com2);
            ide = DriveOption.openPrimaryChannel(drives, platform.isaIrq(AtaChannel.PRIMARY_IRQ));
            machine.addDevice(ide);
            if (netdev != null) {
                net = netdev.create();
                platform.attachVirtioNet(machine, net);
                netdev.start(net); // a busy port or a missing peer stops here, before the guest runs
            }
            if (debug) {
                stderr.printf("twinstep: booting %s: entry 0x%08x, image 0x%x-0x%x, multiboot info at 0x%x, cmdline \"%s\"%n",
                        kernelName, boot.entry(), boot.kernelLow(), boot.kernelHigh(), boot.infoAddress(), boot.cmdline());
            }
            if (restore != null) {
                restoreSnapshot(machine);
            }
            controlServer = startControl(machine);
            Runtime.getRuntime().addShutdownHook(stopOnSignal);
            result = MachineThread.run(machine);
            if (controlServer != null) {
                controlServer.machineFinished();
            }
            if (snapshotOnExit != null) {
                saveSnapshotOnExit(machine);
            }
            closed = true;
            closeAll(com1, com2, ide, net);
            return report(result);
        } finally {
            if (!closed) {
                closeAll(com1, com2, ide, net);
            }
            if (controlServer != null) {
                controlServer.close();
            }
            finished.countDown();
            removeHook(stopOnSignal);
        }
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
    private ControlServer startControl(Machine machine) throws UsageException {
        if (control == null) {
            return null;
        }
        try {
            return ControlServer.start(control, machine);
        } catch (IOException e) {
            throw new UsageException("--control " + control + ": " + e.getMessage());
        }
    }

    private static void closeAll(SerialBackend com1, SerialBackend com2, AtaChannel ide, NetBackend net) {
        if (net != null) {
            net.close();
        }
        com1.close();
        if (com2 != null) {
            com2.close();
        }
        if (ide != null) {
            ide.close();
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
