package dev.twinstep.core.state;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.MachineConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saving and restoring a file stream the RAM instead of collecting it: the heap a whole-machine
 * snapshot takes stays a small fraction of the guest's RAM (it used to be about twice the RAM).
 * Measured as bytes allocated by this thread, which does not depend on timing.
 */
class SnapshotAllocationTest {
    private static final long RAM = 64L * 1024 * 1024;
    private static final long BUDGET = 4L * 1024 * 1024;
    private static com.sun.management.ThreadMXBean threads;

    @TempDir
    Path directory;

    @BeforeAll
    static void requireAllocationCounters() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "this JVM does not count allocated bytes per thread");
        threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    }

    private static Machine filledMachine() {
        Machine machine = new Machine(MachineConfig.withRam(RAM));
        long x = 0x2545F4914F6CDD1DL;
        for (int offset = 0; offset < RAM; offset += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            machine.memory().ram().putLong(offset, x);
        }
        return machine;
    }

    private static final OutputStream DISCARD = new OutputStream() {
        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
        }
    };

    @Test
    void shouldSaveA64MiBMachineAllocatingUnder4MiB() throws IOException {
        Machine source = filledMachine();
        source.saveSnapshot(DISCARD, false);

        long before = threads.getCurrentThreadAllocatedBytes();
        source.saveSnapshot(DISCARD, false);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(allocated < BUDGET, "a 64 MiB save allocated " + allocated + " bytes");
    }

    @Test
    void shouldRestoreA64MiBFileInPlaceAllocatingUnder4MiB() throws IOException {
        Machine source = filledMachine();
        Path file = directory.resolve("big.snap");
        source.saveSnapshot(file);
        Machine target = new Machine(MachineConfig.withRam(RAM));
        target.loadSnapshot(file);

        long before = threads.getCurrentThreadAllocatedBytes();
        target.loadSnapshot(file);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(allocated < BUDGET, "a 64 MiB restore allocated " + allocated + " bytes");
        assertTrue(source.memory().ram().equals(target.memory().ram()), "the restored RAM differs");
    }
}
