package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.colo.net.OutputCommitBackend;
import dev.twinstep.colo.state.ReplicatedMachine;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.devices.net.backend.NoneNetBackend;
import dev.twinstep.devices.serial.SerialBackend;
import dev.twinstep.tools.Pc;
import java.util.List;

/**
 * The machine every checkpoint benchmark replicates: the PC of {@code twinstep primary --netdev none}
 * ({@link Pc}: PIC pair, LAPIC, IOAPIC, PIT, i8042, port 0x92, RTC, COM1, isa-debug-exit, PCI with a
 * virtio-net NIC, an IDE channel without a drive), so the device state in each epoch is the real one;
 * the NIC transmits into an {@link OutputCommitBackend}, whose epoch the primary closes in each
 * checkpoint pause as {@code ColoPrimary} does. The machine never runs: a benchmark plays the guest
 * by writing pages through {@link GuestMemory}, which marks them in the dirty log as CPU stores do.
 * (Building it writes the MP table into the BIOS area, which marks that page dirty; a benchmark
 * forgets the marks of its first fill, and this one with them, before the epochs it measures.)
 */
final class CheckpointPc {
    /** Below 1 MiB sits the VGA hole, whose pages a write does not mark; dirty pages are taken above it. */
    private static final int FIRST_DIRTY_PAGE = (1 << 20) >>> GuestMemory.PAGE_SHIFT;

    private final Machine machine;
    private final OutputCommitBackend output;
    private final ReplicatedMachine replica;

    private CheckpointPc(Machine machine, OutputCommitBackend output) {
        this.machine = machine;
        this.output = output;
        this.replica = new ReplicatedMachine(machine, List.of());
    }

    /** Builds the PC with {@code ramBytes} of zeroed RAM, its output buffer holding frames (protected). */
    static CheckpointPc build(long ramBytes) {
        OutputCommitBackend output = new OutputCommitBackend(new NoneNetBackend());
        return new CheckpointPc(Pc.build(MachineConfig.withRam(ramBytes), SerialBackend.NONE, output), output);
    }

    /** The machine. */
    Machine machine() {
        return machine;
    }

    /** The NIC's output buffer. */
    OutputCommitBackend output() {
        return output;
    }

    /** The machine as replication sees it (no disks). */
    ReplicatedMachine replica() {
        return replica;
    }

    /**
     * Writes a xorshift sequence over all of RAM through {@link GuestMemory}, so that every page the
     * guest can address is non-zero and unlike any other (nothing is skipped as a zero page, nothing
     * compresses), and every such page is marked dirty.
     */
    void fillRam(long seed) {
        GuestMemory memory = machine.memory();
        byte[] page = new byte[GuestMemory.PAGE_SIZE];
        long x = seed;
        for (long address = 0; address < memory.ramSize(); address += GuestMemory.PAGE_SIZE) {
            for (int i = 0; i < page.length; i += Long.BYTES) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                for (int b = 0; b < Long.BYTES; b++) {
                    page[i + b] = (byte) (x >>> (b * 8));
                }
            }
            memory.writeBytes(address, page, 0, page.length);
        }
    }

    /**
     * The {@code count} pages a benchmark dirties, spread evenly over RAM above 1 MiB, so that a copy
     * of them reads scattered pages as a guest's working set would make it.
     *
     * @throws IllegalArgumentException when RAM above 1 MiB has fewer pages than that
     */
    static int[] spreadPages(long ramBytes, int count) {
        int available = (int) (ramBytes >>> GuestMemory.PAGE_SHIFT) - FIRST_DIRTY_PAGE;
        if (count < 0 || count > available) {
            throw new IllegalArgumentException(count + " dirty pages do not fit in " + available
                    + " pages of RAM above 1 MiB: give the machine more RAM");
        }
        int[] pages = new int[count];
        for (int i = 0; i < count; i++) {
            pages[i] = FIRST_DIRTY_PAGE + (int) ((long) i * available / count);
        }
        return pages;
    }

    /**
     * Plays the guest between two checkpoints: one 32-bit store into each of {@code pages}, through
     * the same {@link GuestMemory} path as a CPU store, so each page is marked dirty. The stored value
     * and its place in the page change with {@code round}, so successive epochs differ.
     */
    void dirty(int[] pages, int round) {
        GuestMemory memory = machine.memory();
        int offset = (round << 2) & (GuestMemory.PAGE_SIZE - 1);
        for (int page : pages) {
            memory.write32((page << GuestMemory.PAGE_SHIFT) + offset, round ^ page);
        }
    }
}
