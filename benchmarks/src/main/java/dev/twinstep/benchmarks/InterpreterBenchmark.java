package dev.twinstep.benchmarks;

import dev.twinstep.core.boot.BootInfo;
import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.machine.MachineConfig;
import dev.twinstep.core.machine.RunResult;
import dev.twinstep.devices.debugexit.IsaDebugExit;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Guest instructions per second of the interpreter.
 *
 * <p>The figure to read is the secondary result {@code instructions} (instructions retired per
 * second; divide by 10^6 for MIPS); the primary score counts whole runs or slices per second.
 * <ul>
 *   <li>{@link #benchGuestToCompletion}: the {@code bench} guest (sieve, CRC32, matrices, sorts, a
 *   bytecode VM, divisions) booted and run to its exit, as {@code twinstep run --guest bench
 *   --append scale=N} does, minus JVM start-up. Each run is checked to end with the guest's success
 *   status and the same checksum as the first run.</li>
 *   <li>{@link #tightLoop}: a three- or four-instruction loop run for a fixed budget per invocation:
 *   the interpreter's dispatch cost with every block decoded and every TLB entry warm. {@code alu}
 *   is register arithmetic, {@code memory} adds a store and a load to another page (TLB and
 *   dirty-marking paths), {@code branch} a taken conditional branch.</li>
 * </ul>
 * Both run on the benchmark thread rather than the CLI's dedicated machine thread; neither guest
 * nests exceptions deeply enough to need its larger stack.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class InterpreterBenchmark {
    /** The built-in guest both benchmarks boot: it also sets up the flat protected mode the loops run in. */
    static final String GUEST = "bench";
    /** Instructions per {@link #tightLoop} invocation: long enough to amortise the call, short enough for many samples. */
    static final long LOOP_BUDGET = 2_000_000;

    /** Instructions retired, which JMH reports as a rate next to the primary score. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Retired {
        /** Guest instructions retired during the current iteration. */
        public long instructions;

        /** Starts each iteration's count at zero. */
        @Setup(Level.Iteration)
        public void clear() {
            instructions = 0;
        }
    }

    /** The {@code bench} guest, re-booted before every run. */
    @State(Scope.Thread)
    public static class WholeRun {
        /** The guest's scale=N: about 35 million instructions per unit. */
        @Param("1")
        public int scale;

        GuestPc pc;
        private RunResult lastResult;
        private String firstTranscript;

        /** Builds the PC once: guest RAM is allocated per trial, not per run. */
        @Setup(Level.Trial)
        public void build() {
            pc = new GuestPc(GUEST, MachineConfig.DEFAULT_RAM_BYTES);
        }

        /** Loads the guest afresh, so each invocation is one complete run. */
        @Setup(Level.Invocation)
        public void boot() {
            pc.boot("scale=" + scale);
        }

        /** Fails the benchmark if the guest did not compute what it computed the first time. */
        @TearDown(Level.Invocation)
        public void checkRun() {
            int success = IsaDebugExit.exitStatus(0);
            if (lastResult.outcome() != RunResult.Outcome.GUEST_EXIT || lastResult.exitStatus() != success) {
                throw new IllegalStateException("the bench guest failed: " + lastResult.diagnosis()
                        + "\n" + pc.serialOutput());
            }
            String transcript = pc.serialOutput();
            if (firstTranscript == null) {
                firstTranscript = transcript;
            } else if (!firstTranscript.equals(transcript)) {
                throw new IllegalStateException("a re-booted run printed different checksums:\n"
                        + firstTranscript + "---\n" + transcript);
            }
        }
    }

    /** A tight loop in flat 32-bit protected mode, running for ever; each invocation runs a slice of it. */
    @State(Scope.Thread)
    public static class TightLoop {
        /** Where the loop's code goes: above the bench image, in a page of its own. */
        static final int CODE_ADDRESS = 0x0040_0000;
        /** The page the {@code memory} loop stores to and loads from: not the code page, so no block is invalidated. */
        static final int DATA_ADDRESS = CODE_ADDRESS + 0x1000;

        /** Which loop: {@code alu}, {@code memory} or {@code branch}. */
        @Param({"alu", "memory", "branch"})
        public String kind;

        Cpu cpu;

        /** Boots the guest for its protected-mode set-up, then points the CPU at the loop instead of the kernel. */
        @Setup(Level.Trial)
        public void build() {
            GuestPc pc = new GuestPc(GUEST, MachineConfig.DEFAULT_RAM_BYTES);
            BootInfo boot = pc.boot("");
            if (boot.kernelHigh() > CODE_ADDRESS) {
                throw new IllegalStateException("the bench image reaches 0x" + Long.toHexString(boot.kernelHigh())
                        + ", over the loop at 0x" + Integer.toHexString(CODE_ADDRESS));
            }
            byte[] code = loopCode(kind);
            pc.machine().memory().writeBytes(CODE_ADDRESS, code, 0, code.length);
            cpu = pc.machine().cpu();
            cpu.regs[Cpu.EDI] = DATA_ADDRESS;
            cpu.eip = CODE_ADDRESS;
            cpu.nextEip = CODE_ADDRESS;
            checkLoopRuns(code.length);
        }

        /** Guards against measuring a fault handler instead of the loop: after a while the CPU must still be in it. */
        private void checkLoopRuns(int codeLength) {
            cpu.execute(10_000);
            if (cpu.halted || cpu.eip < CODE_ADDRESS || cpu.eip >= CODE_ADDRESS + codeLength) {
                throw new IllegalStateException("the " + kind + " loop left its code: eip 0x" + Integer.toHexString(cpu.eip)
                        + (cpu.halted ? ", halted" : ""));
            }
        }

        /** Machine code of each loop; every one ends with a jump back to its start, so it never stops. */
        static byte[] loopCode(String kind) {
            switch (kind) {
                case "alu":
                    // inc eax; add ebx,eax; xor ecx,ebx; jmp start
                    return bytes(0x40, 0x01, 0xC3, 0x31, 0xD9, 0xEB, 0xF9);
                case "memory":
                    // inc eax; mov [edi],eax; add ebx,[edi]; jmp start
                    return bytes(0x40, 0x89, 0x07, 0x03, 0x1F, 0xEB, 0xF9);
                case "branch":
                    // start: add eax,ecx; dec ecx; jnz start; jmp start (only when ECX wraps to zero)
                    return bytes(0x01, 0xC8, 0x49, 0x75, 0xFB, 0xEB, 0xF9);
                default:
                    throw new IllegalArgumentException("unknown loop kind '" + kind + "' (alu, memory, branch)");
            }
        }

        private static byte[] bytes(int... values) {
            byte[] out = new byte[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = (byte) values[i];
            }
            return out;
        }
    }

    /** One complete run of the bench guest. */
    @Benchmark
    public RunResult benchGuestToCompletion(WholeRun run, Retired retired) {
        RunResult result = run.pc.machine().run();
        run.lastResult = result;
        retired.instructions += result.stats().instructions();
        return result;
    }

    /** {@link #LOOP_BUDGET} instructions of a tight loop. */
    @Benchmark
    public long tightLoop(TightLoop loop, Retired retired) {
        Cpu cpu = loop.cpu;
        long done = 0;
        while (done < LOOP_BUDGET) {
            long slice = cpu.execute(LOOP_BUDGET - done);
            if (slice == 0) {
                throw new IllegalStateException("the loop stopped at eip 0x" + Integer.toHexString(cpu.eip));
            }
            done += slice;
        }
        retired.instructions += done;
        return done;
    }
}
