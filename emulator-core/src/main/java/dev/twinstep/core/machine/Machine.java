package dev.twinstep.core.machine;

import dev.twinstep.core.boot.BootException;
import dev.twinstep.core.boot.BootInfo;
import dev.twinstep.core.boot.MultibootLoader;
import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.clock.ClockMode;
import dev.twinstep.core.clock.VirtualClock;
import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.MachineHalt;
import dev.twinstep.core.cpu.CpuState;
import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.ClockSection;
import dev.twinstep.core.state.RamSection;
import dev.twinstep.core.state.Snapshot;
import dev.twinstep.core.state.SnapshotChain;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.Stateful;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One PC: guest memory, the I/O bus, the CPU and the devices attached to them, and the run loop.
 *
 * <p>{@link #run()} is called on the thread that becomes the machine thread; it is the only thread
 * that touches guest state. Other threads may call {@link #pause()}, {@link #resume()} and
 * {@link #requestStop()}: these set flags that the CPU sees at its next instruction-block boundary
 * ({@link Cpu#stopRequested}), and the loop acts on them between calls to {@link Cpu#execute}.
 *
 * <p>Between slices the loop runs the host I/O tasks posted to {@link #events()} and the timers of
 * the {@link #clock()} that are due; each slice is sized to end at the next timer deadline. A CPU
 * halted with interrupts enabled sleeps until the next deadline or I/O event (in icount mode it
 * skips virtual time forward to the deadline instead), so an idle guest costs no host CPU.
 */
public final class Machine {
    private final MachineConfig config;
    private final GuestMemory memory;
    private final IoBus io;
    private final Cpu cpu;
    private final List<MachineDevice> devices = new ArrayList<>();
    private final VirtualClock clock;
    private final MachineEvents events = new MachineEvents();
    /** Which full snapshot the RAM descends from, so that RAM deltas apply only in order. */
    private final SnapshotChain snapshotChain = new SnapshotChain();
    /** Set on the machine thread by a device (i8042, port 0x92) that pulls the reset line. */
    private boolean resetRequested;
    /** Realtime mode: measured guest speed, to turn a deadline in ns into an instruction budget. */
    private long instructionsPerMicro = 100;

    private final Object pauseLock = new Object();
    private volatile boolean pauseRequested;
    private volatile boolean stopRequested;
    /** Guarded by pauseLock. */
    private boolean running;
    /** Guarded by pauseLock: the loop is parked at a boundary. */
    private boolean parked;
    /** Guarded by pauseLock: how many {@link #pause()} calls await their {@link #resume()}. */
    private int pauseHolds;
    /** Guarded by pauseLock: a task waiting to run on the machine thread at a boundary. */
    private Runnable boundaryTask;
    private Throwable boundaryFailure;
    private volatile boolean boundaryTaskPending;
    /** Machine thread only: a boundary task is running, so state may be saved from it. */
    private boolean inBoundaryTask;

    /** Builds the PC: RAM of the configured size (with the VGA hole), an empty I/O bus and a CPU at reset. */
    public Machine(MachineConfig config) {
        this.config = config;
        this.memory = new GuestMemory(config.ramBytes());
        this.io = new IoBus();
        this.cpu = new Cpu(memory, io);
        this.clock = new VirtualClock(config.clockMode(), config.icountPeriodNanos(), () -> cpu.instructionCount);
        events.setSliceCutter(() -> cpu.stopRequested = true);
    }

    /** The virtual clock devices schedule their timers on. */
    public VirtualClock clock() {
        return clock;
    }

    /** Where host I/O threads post work for the machine thread. */
    public MachineEvents events() {
        return events;
    }

    /**
     * A device pulled the CPU reset line (i8042 command 0xFE, port 0x92 bit 0): the run ends at the
     * next block boundary with {@link RunResult.Outcome#RESET}. Machine thread.
     */
    public void requestReset() {
        resetRequested = true;
        cpu.stopRequested = true;
    }

    /** How the machine was built. */
    public MachineConfig config() {
        return config;
    }

    /** Guest-physical memory; touch it only on the machine thread (or while paused). */
    public GuestMemory memory() {
        return memory;
    }

    /** The port I/O bus the devices are attached to. */
    public IoBus io() {
        return io;
    }

    /** The CPU; touch it only on the machine thread (or while paused). */
    public Cpu cpu() {
        return cpu;
    }

    /** Attaches {@code device}: it claims its ports now. Call before {@link #run()}. */
    public void addDevice(MachineDevice device) {
        device.attach(io, memory);
        devices.add(device);
    }

    /** The attached devices, in attach order. */
    public List<MachineDevice> devices() {
        return List.copyOf(devices);
    }

    /** Resets the CPU and every device to power-on state (RAM is kept, as on a PC reset). */
    public void reset() {
        resetRequested = false;
        cpu.reset();
        for (MachineDevice device : devices) {
            device.reset();
        }
    }

    /**
     * Loads a Multiboot kernel as QEMU's {@code -kernel kernelName -append append} would.
     *
     * @throws BootException when the image is not bootable on this machine
     */
    public BootInfo bootMultiboot(byte[] image, String kernelName, String append) throws BootException {
        return MultibootLoader.boot(image, kernelName, append, memory, cpu);
    }

    /**
     * Runs the guest on the calling thread until it exits, halts for good, shuts down, or the host
     * stops it. Exceptions other than the machine's own stop signals propagate: they are bugs.
     */
    public RunResult run() {
        synchronized (pauseLock) {
            if (running) {
                throw new IllegalStateException("the machine is already running");
            }
            running = true;
        }
        long startInstructions = cpu.instructionCount;
        long started = System.nanoTime();
        long pausedNanos = 0;
        RunResult.Outcome outcome;
        int status = 0;
        String diagnosis;
        try {
            while (true) {
                cpu.stopRequested = false;
                if (boundaryTaskPending) {
                    clock.pause();
                    runBoundaryTask();
                    clock.resume();
                }
                if (stopRequested) {
                    outcome = RunResult.Outcome.HOST_STOP;
                    diagnosis = "stopped by the host at " + where();
                    break;
                }
                if (pauseRequested) {
                    clock.pause();
                    pausedNanos += parkWhilePaused();
                    clock.resume();
                    continue;
                }
                events.drain();
                clock.runDueTimers();
                if (resetRequested) {
                    outcome = RunResult.Outcome.RESET;
                    diagnosis = "the guest reset the machine at " + where();
                    break;
                }
                if (cpu.halted && (cpu.getEflags() & Cpu.IF) == 0) {
                    // Only an NMI could wake it, and nothing raises NMI: a pending IRQ cannot.
                    outcome = RunResult.Outcome.HALTED;
                    diagnosis = "guest halted with interrupts disabled at " + where();
                    break;
                }
                if (cpu.halted && !cpu.interruptSource.hasPendingInterrupt()) {
                    long deadline = clock.nextDeadline();
                    if (deadline == VirtualClock.NEVER && !events.hasSources()) {
                        outcome = RunResult.Outcome.HALTED;
                        diagnosis = "guest halted waiting for an interrupt at " + where()
                                + ", but no timer is armed and no host input can raise one";
                        break;
                    }
                    idle(deadline);
                    continue;
                }
                runSlice();
            }
        } catch (MachineHalt halt) {
            outcome = switch (halt.kind) {
                case GUEST_EXIT -> RunResult.Outcome.GUEST_EXIT;
                case SHUTDOWN -> RunResult.Outcome.SHUTDOWN;
                case HOST_STOP -> RunResult.Outcome.HOST_STOP;
            };
            status = halt.exitStatus;
            diagnosis = halt.getMessage() == null ? halt.kind.toString() : halt.getMessage();
        } finally {
            for (MachineDevice device : devices) {
                device.flush();
            }
            synchronized (pauseLock) {
                running = false;
                pauseLock.notifyAll();
            }
        }
        long runNanos = System.nanoTime() - started - pausedNanos;
        return new RunResult(outcome, status, diagnosis, new RunStats(cpu.instructionCount - startInstructions, runNanos));
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * What a snapshot must match to load here: RAM size, clock, and the sections of the CPU and of
     * every stateful device in attach order (so drive and network presence count; host paths do not).
     */
    public String configurationFingerprint() {
        StringBuilder text = new StringBuilder("pc;ram=").append(config.ramBytes())
                .append(";clock=").append(config.clockMode());
        if (config.clockMode() == ClockMode.ICOUNT) {
            text.append('/').append(config.icountPeriodNanos()).append("ns");
        }
        text.append(";sections=cpu,clock");
        for (MachineDevice device : devices) {
            if (device instanceof Stateful) {
                text.append(',').append(((Stateful) device).sectionName());
            }
        }
        return text.toString();
    }

    /**
     * The parts a snapshot holds, in save and load order: the CPU before the clock derived from it.
     *
     * @param ram the RAM section, or null for device state alone
     */
    private List<Stateful> stateParts(Stateful ram) {
        List<Stateful> parts = new ArrayList<>();
        parts.add(new CpuState(cpu));
        parts.add(new ClockSection(clock));
        if (ram != null) {
            parts.add(ram);
        }
        for (MachineDevice device : devices) {
            if (device instanceof Stateful) {
                parts.add((Stateful) device);
            }
        }
        return parts;
    }

    /**
     * Writes a snapshot of the whole machine to {@code out}: with {@code incremental}, RAM holds only
     * the pages written since the previous snapshot (restore the full one, then each delta in order).
     * Only while the machine is not running or is paused at a boundary ({@link #pause()}).
     *
     * @throws IOException when {@code out} fails
     */
    public void saveSnapshot(OutputStream out, boolean incremental) throws IOException {
        requireStopped("save a snapshot");
        Stateful ram = incremental ? RamSection.delta(memory, snapshotChain) : RamSection.full(memory, snapshotChain);
        // A failed write must not lose the dirty bits or the chain link it took: the next delta
        // would silently miss those pages.
        long[] dirtyBefore = new long[memory.dirtyLog().wordCount()];
        memory.dirtyLog().copyBits(DirtyLog.Client.MIGRATION, dirtyBefore);
        long chainBefore = snapshotChain.baseId();
        int sequenceBefore = snapshotChain.sequence();
        try {
            Snapshot.write(out, configurationFingerprint(), stateParts(ram));
        } catch (IOException | RuntimeException e) {
            memory.dirtyLog().restore(DirtyLog.Client.MIGRATION, dirtyBefore);
            snapshotChain.adopt(chainBefore, sequenceBefore);
            throw e;
        }
    }

    /**
     * Writes everything but RAM — CPU, clock and every device's section — as one verified stream in
     * the snapshot format: the device half of a migration round or a COLO checkpoint, whose pages
     * travel separately. Paused or not running.
     *
     * @throws IOException when {@code out} fails
     */
    public void saveDeviceState(OutputStream out) throws IOException {
        requireStopped("save device state");
        List<Stateful> parts = stateParts(null);
        Snapshot.write(out, configurationFingerprint(), parts);
    }

    /**
     * The checks of {@link #loadDeviceState} alone, so that a replica can refuse a checkpoint before
     * it applies any part of it.
     *
     * @throws StateFormatException with a one-line reason
     */
    public void checkDeviceState(byte[] stream) {
        Snapshot.parse(stream).check(configurationFingerprint(), stateParts(null), Set.of());
    }

    /**
     * Verifies a stream written by {@link #saveDeviceState} (CRC32C, configuration, every section
     * known and present) and only then loads it; RAM is left as it is. Paused or not running.
     *
     * @throws StateFormatException with a one-line reason; nothing is changed then
     */
    public void loadDeviceState(byte[] stream) {
        requireStopped("load device state");
        Snapshot snapshot = Snapshot.parse(stream);
        snapshot.applyTo(configurationFingerprint(), stateParts(null), Set.of());
        resetRequested = false;
    }

    /** Writes a full snapshot to {@code file} (replaced if it exists); see {@link #saveSnapshot(OutputStream, boolean)}. */
    public void saveSnapshot(Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            saveSnapshot(out, false);
        }
    }

    /**
     * Reads a whole snapshot, verifies it (CRC32C, format, configuration, section names and versions)
     * and only then loads it into this machine. Not running, or paused at a boundary.
     *
     * @throws StateFormatException with a one-line reason if it cannot be loaded; nothing is changed then
     * @throws IOException when reading fails
     */
    public void loadSnapshot(InputStream in) throws IOException {
        requireStopped("load a snapshot");
        Snapshot snapshot = Snapshot.read(in);
        String expected = configurationFingerprint();
        snapshot.requireFingerprint(expected);
        Snapshot.Section ram = snapshot.sections().stream()
                .filter(s -> s.name().equals(RamSection.FULL) || s.name().equals(RamSection.DELTA))
                .findFirst()
                .orElseThrow(() -> new StateFormatException("snapshot lacks a RAM section"));
        RamSection.checkApplicable(ram.name(), snapshot.open(ram), memory, snapshotChain);
        List<Stateful> parts = stateParts(RamSection.full(memory, snapshotChain));
        parts.add(RamSection.delta(memory, snapshotChain));
        snapshot.applyTo(expected, parts, Set.of(RamSection.FULL, RamSection.DELTA));
        resetRequested = false;
    }

    /** Loads the snapshot in {@code file}; see {@link #loadSnapshot(InputStream)}. */
    public void loadSnapshot(Path file) throws IOException {
        // A FileInputStream lets Snapshot.read verify the file and then apply it in place, in two
        // passes, instead of staging a copy of it in memory.
        try (InputStream in = new java.io.FileInputStream(file.toFile())) {
            loadSnapshot(in);
        }
    }

    private void requireStopped(String action) {
        synchronized (pauseLock) {
            if (running && !parked && !inBoundaryTask) {
                throw new IllegalStateException("pause the machine before trying to " + action);
            }
        }
    }

    /** Runs the CPU up to the next timer deadline (or a whole slice when none is armed). */
    private void runSlice() {
        long deadline = clock.nextDeadline();
        long budget = config.sliceInstructions();
        if (deadline != VirtualClock.NEVER) {
            if (clock.mode() == ClockMode.ICOUNT) {
                budget = Math.min(budget, clock.instructionsUntil(deadline));
            } else {
                long nanos = Math.min(deadline - clock.nowNanos(), 1_000_000_000L);
                budget = Math.max(1, Math.min(budget, nanos * instructionsPerMicro / 1000));
            }
        }
        clock.beginSlice(deadline, () -> cpu.stopRequested = true);
        long started = System.nanoTime();
        try {
            long executed = cpu.execute(budget);
            long elapsed = System.nanoTime() - started;
            if (clock.mode() == ClockMode.REALTIME && executed > 10_000 && elapsed > 0) {
                instructionsPerMicro = Math.max(1, (instructionsPerMicro + executed * 1000 / elapsed) / 2);
            }
        } finally {
            clock.endSlice();
        }
    }

    /**
     * The CPU waits for an interrupt: sleep until the next deadline or a host I/O event (realtime),
     * or jump virtual time to the deadline (icount, when no host input can come first).
     */
    private void idle(long deadline) {
        if (clock.mode() == ClockMode.ICOUNT && deadline != VirtualClock.NEVER) {
            clock.skipTo(deadline);
            return;
        }
        long wait = deadline == VirtualClock.NEVER ? Long.MAX_VALUE : deadline - clock.nowNanos();
        if (wait <= 0) {
            return;
        }
        try {
            events.awaitNanos(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopRequested = true;
        }
    }

    private String where() {
        return String.format("%04x:%08x", cpu.segSel[Cpu.CS], cpu.eip);
    }

    /**
     * Stops the machine at the next instruction-block boundary and returns once it is stopped there
     * (or at once if it is not running; it then starts paused). Any thread but the machine thread.
     * Pauses nest: each holder calls {@link #resume()} once, and the machine runs on when the last
     * one has (a user's {@code stop} survives a snapshot or a migration round that pauses too).
     */
    public void pause() throws InterruptedException {
        synchronized (pauseLock) {
            pauseHolds++;
            pauseRequested = true;
            cpu.stopRequested = true;
            events.wakeUp();
            while (running && !parked && !stopRequested) {
                pauseLock.wait();
            }
        }
    }

    /**
     * Runs {@code task} on the machine thread at the next instruction-block boundary (or at once on
     * this thread if the machine is not running) and returns when it has run; what it throws is
     * rethrown here. The guest stands still only while the task runs, and its clock with it: this is
     * how a checkpoint is taken without the two thread hand-offs of {@link #pause()} and
     * {@link #resume()}. Works while the machine is paused, too. Any thread but the machine thread.
     */
    public void atBoundary(Runnable task) throws InterruptedException {
        synchronized (pauseLock) {
            while (boundaryTask != null) {
                pauseLock.wait();
            }
            if (!running) {
                task.run();
                return;
            }
            boundaryTask = task;
            boundaryFailure = null;
            boundaryTaskPending = true;
            cpu.stopRequested = true;
            events.wakeUp();
            pauseLock.notifyAll();
            while (boundaryTask == task && running) {
                pauseLock.wait();
            }
            if (boundaryTask == task) { // the run ended first: nothing runs the machine now
                boundaryTask = null;
                boundaryTaskPending = false;
                pauseLock.notifyAll();
                task.run();
                return;
            }
            Throwable failure = boundaryFailure;
            boundaryFailure = null;
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
        }
    }

    /** Machine thread: runs the pending boundary task and hands back its outcome. */
    private void runBoundaryTask() {
        Runnable task;
        synchronized (pauseLock) {
            task = boundaryTask;
        }
        if (task == null) {
            boundaryTaskPending = false;
            return;
        }
        Throwable failure = null;
        inBoundaryTask = true;
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            inBoundaryTask = false;
        }
        synchronized (pauseLock) {
            boundaryFailure = failure;
            boundaryTask = null;
            boundaryTaskPending = false;
            pauseLock.notifyAll();
        }
    }

    /** Gives up one {@link #pause()}: the machine runs on when no pause holds it any more. */
    public void resume() {
        synchronized (pauseLock) {
            if (pauseHolds > 0) {
                pauseHolds--;
            }
            if (pauseHolds == 0) {
                pauseRequested = false;
                pauseLock.notifyAll();
            }
        }
    }

    /** Whether the machine thread is parked at a boundary because of {@link #pause()}. */
    public boolean isPaused() {
        synchronized (pauseLock) {
            return parked;
        }
    }

    /** Ends {@link #run()} at the next instruction-block boundary, even while paused. Any thread. */
    public void requestStop() {
        synchronized (pauseLock) {
            stopRequested = true;
            cpu.stopRequested = true;
            events.wakeUp();
            pauseLock.notifyAll();
        }
    }

    /** Parks the machine thread while a pause is requested; returns the nanoseconds spent parked. */
    private long parkWhilePaused() {
        long parkedAt = System.nanoTime();
        synchronized (pauseLock) {
            parked = true;
            pauseLock.notifyAll();
            try {
                while (pauseRequested && !stopRequested) {
                    if (boundaryTask != null) {
                        runBoundaryTask();
                        continue;
                    }
                    pauseLock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopRequested = true;
            } finally {
                parked = false;
            }
        }
        return System.nanoTime() - parkedAt;
    }
}
