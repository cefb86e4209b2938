package dev.twinstep.core.cpu.vectors;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.MachineHalt;
import dev.twinstep.core.cpu.blackbox.CpuWatchdog;
import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one vector on a real-mode CPU over flat RAM and lists every way the result differs from
 * the hardware's, following the harness rules of the vector README.
 *
 * <p>One CPU and one memory serve every test: between tests the pages the previous test dirtied
 * (found through the MIGRATION dirty log) are zeroed, so no test sees another's bytes.
 */
final class VectorRunner {
    /**
     * FLAGS bits 12-15 are random in the initial image and always clear in the hardware's final state:
     * the vectors are cleared of them on entry (README rule 2). A 286 in real mode also refuses to load
     * them through POPF/IRET, while a 386 loads IOPL and NT there, so they are left out of the compare.
     */
    static final int FLAGS_BITS_12_TO_15 = 0xF000;
    /** Calls of execute(1) before a test that never reaches its HLT is given up (REP counts are < 128). */
    private static final int STEP_LIMIT = 1024;
    private static final int[] GENERAL_REGISTER = {
        Cpu.EAX, Cpu.EBX, Cpu.ECX, Cpu.EDX, -1, -1, -1, -1, Cpu.ESP, Cpu.EBP, Cpu.ESI, Cpu.EDI
    };
    private static final int[] SEGMENT_REGISTER = {-1, -1, -1, -1, Cpu.CS, Cpu.SS, Cpu.DS, Cpu.ES};
    /**
     * Where the vectors leave an IVT entry unspecified, it is pointed at a HLT of our own, through
     * segment {@code stubSegment + vector}: a CPU that takes an interrupt the hardware did not halts
     * at once and its CS names the vector, instead of running off into zeroed memory. The HLT goes at
     * the first of these addresses that the test does not use.
     */
    private static final int[] STUB_CANDIDATES = {0x07000, 0x2F000, 0x5E000, 0x8D000, 0xBC000, 0xEB000};

    private final GuestMemory memory = new GuestMemory(32L << 20, false);
    private final Cpu cpu = new Cpu(memory, new IoBus());
    private final CpuWatchdog watchdog = new CpuWatchdog(cpu, Duration.ofSeconds(1));
    private final long[] dirtyPages = new long[memory.dirtyLog().wordCount()];
    private final byte[] zeroPage = new byte[GuestMemory.PAGE_SIZE];
    private int stubAddress;
    private int stubSegment;
    private int unexpectedVector = -1;
    private int aliasedVector = -1;

    /**
     * Runs {@code test} and returns its differences from the hardware, empty when it passes.
     *
     * @param undefinedFlags FLAGS bits the form leaves undefined (not compared)
     */
    List<String> run(VectorCase test, int undefinedFlags) {
        aliasedVector = -1;
        return runOnce(test, undefinedFlags);
    }

    /**
     * Runs {@code test} again with the IVT entry of {@code cpuVector} copied from the hardware's
     * vector's entry, so that a CPU that raises a different but expected vector (a 386's #SS where
     * the 286 raised #GP) can be checked for everything else: frame, return address, handler state.
     */
    List<String> runWithVectorAlias(VectorCase test, int undefinedFlags, int cpuVector) {
        aliasedVector = cpuVector;
        try {
            return runOnce(test, undefinedFlags);
        } finally {
            aliasedVector = -1;
        }
    }

    private List<String> runOnce(VectorCase test, int undefinedFlags) {
        List<String> differences = new ArrayList<>();
        unexpectedVector = -1;
        wipePagesOfPreviousTest();
        load(test);
        watchdog.arm();
        try {
            int steps = 0;
            while (!cpu.halted && steps < STEP_LIMIT && !watchdog.fired()) {
                cpu.execute(1);
                steps++;
            }
            if (watchdog.fired()) {
                differences.add("execute(1) ran for over a second without returning or halting (stopped)");
            } else if (!cpu.halted) {
                differences.add("did not reach its HLT within " + STEP_LIMIT + " steps");
            }
        } catch (MachineHalt halt) {
            differences.add("machine halt " + halt.kind + ": " + halt.getMessage());
        } catch (RuntimeException escaped) {
            differences.add("Java exception escaped the CPU: " + escaped);
            return differences;
        } finally {
            watchdog.disarm();
        }
        unexpectedVector = vectorTakenIntoStub();
        if (unexpectedVector >= 0) {
            differences.add(0, "CPU took interrupt " + unexpectedVector + (test.exceptionVector == VectorCase.NO_EXCEPTION
                    ? ", hardware took none" : ", hardware took " + test.exceptionVector));
        }
        compareRegisters(test, undefinedFlags, differences);
        compareMemory(test, undefinedFlags, differences);
        return differences;
    }

    /** The interrupt the CPU took in the last run where the hardware took another or none, or -1. */
    int unexpectedVector() {
        return unexpectedVector;
    }

    private void wipePagesOfPreviousTest() {
        DirtyLog log = memory.dirtyLog();
        log.takeAndClear(DirtyLog.Client.MIGRATION, dirtyPages);
        for (int word = 0; word < dirtyPages.length; word++) {
            for (long bits = dirtyPages[word]; bits != 0; bits &= bits - 1) {
                long page = ((long) word << 6) + Long.numberOfTrailingZeros(bits);
                memory.writeBytes(page << GuestMemory.PAGE_SHIFT, zeroPage, 0, zeroPage.length);
            }
        }
        log.takeAndClear(DirtyLog.Client.MIGRATION, dirtyPages);
    }

    private void load(VectorCase test) {
        cpu.reset();
        int[] initial = test.initialRegisters;
        for (int r = 0; r < GENERAL_REGISTER.length; r++) {
            if (GENERAL_REGISTER[r] >= 0) {
                cpu.regs[GENERAL_REGISTER[r]] = initial[r];
            } else {
                int segment = SEGMENT_REGISTER[r];
                cpu.segSel[segment] = initial[r];
                cpu.segBase[segment] = initial[r] << 4;
            }
        }
        cpu.eip = initial[VectorCase.IP];
        cpu.nextEip = cpu.eip;
        cpu.setEflags(initial[VectorCase.FLAGS] & ~FLAGS_BITS_12_TO_15);
        installInterruptStubs(test);
        for (int i = 0; i < test.initialRamAddresses.length; i++) {
            memory.write8(test.initialRamAddresses[i], test.initialRamValues[i]);
        }
        if (aliasedVector >= 0) {
            memory.write32(4 * aliasedVector, memory.read32(4 * test.exceptionVector));
        }
    }

    private void installInterruptStubs(VectorCase test) {
        Set<Integer> used = new HashSet<>();
        for (int address : test.initialRamAddresses) {
            used.add(address);
        }
        for (int address : test.finalRamAddresses) {
            used.add(address);
        }
        stubAddress = -1;
        for (int candidate : STUB_CANDIDATES) {
            if (!used.contains(candidate)) {
                stubAddress = candidate;
                break;
            }
        }
        if (stubAddress < 0) {
            return;
        }
        stubSegment = (stubAddress >>> 4) - 256;
        memory.write8(stubAddress, 0xF4);
        for (int vector = 0; vector < 256; vector++) {
            int entry = 4 * vector;
            if (used.contains(entry) || used.contains(entry + 1) || used.contains(entry + 2) || used.contains(entry + 3)) {
                continue;
            }
            int segment = stubSegment + vector;
            memory.write16(entry, stubAddress - (segment << 4));
            memory.write16(entry + 2, segment);
        }
    }

    /** The vector whose stub the CPU halted in, or -1. */
    private int vectorTakenIntoStub() {
        if (stubAddress < 0 || !cpu.halted || cpu.segBase[Cpu.CS] + cpu.eip != stubAddress + 1) {
            return -1;
        }
        int vector = cpu.segSel[Cpu.CS] - stubSegment;
        return vector >= 0 && vector < 256 ? vector : -1;
    }

    private void compareRegisters(VectorCase test, int undefinedFlags, List<String> differences) {
        for (int r = 0; r < GENERAL_REGISTER.length; r++) {
            int expected = test.expectedRegister(r);
            if (GENERAL_REGISTER[r] >= 0) {
                expectEqual(VectorCase.REGISTER_NAMES[r], expected, cpu.regs[GENERAL_REGISTER[r]], differences);
            } else {
                int segment = SEGMENT_REGISTER[r];
                expectEqual(VectorCase.REGISTER_NAMES[r], expected, cpu.segSel[segment], differences);
                expectEqual(VectorCase.REGISTER_NAMES[r] + ".base", expected << 4, cpu.segBase[segment], differences);
            }
        }
        expectEqual("ip", test.expectedRegister(VectorCase.IP), cpu.eip, differences);
        int expectedFlags = test.expectedRegister(VectorCase.FLAGS);
        int actualFlags = cpu.getEflags();
        int compared = 0xFFFF & ~undefinedFlags & ~FLAGS_BITS_12_TO_15;
        if (((expectedFlags ^ actualFlags) & compared) != 0 || (actualFlags & 0xFFFF0000) != 0) {
            differences.add(String.format("flags: expected %04X got %04X (differ in %s)", expectedFlags,
                    actualFlags, FlagNames.of((expectedFlags ^ actualFlags) & compared)));
        }
    }

    /**
     * Checks every byte the test names: those {@code final.ram} lists must hold the new value, the
     * rest of {@code initial.ram} must be unchanged. Undefined flags in a pushed FLAGS word are masked.
     */
    private void compareMemory(VectorCase test, int undefinedFlags, List<String> differences) {
        Map<Integer, Integer> expected = new HashMap<>();
        for (int i = 0; i < test.initialRamAddresses.length; i++) {
            expected.put(test.initialRamAddresses[i], test.initialRamValues[i]);
        }
        for (int i = 0; i < test.finalRamAddresses.length; i++) {
            expected.put(test.finalRamAddresses[i], test.finalRamValues[i]);
        }
        int pushedFlagsLow = -1;
        int pushedFlagsHigh = -1;
        if (test.exceptionVector != VectorCase.NO_EXCEPTION) {
            // The README's flag_address is even even when the stack is odd: locate the word from SS:SP.
            int ssBase = test.expectedRegister(VectorCase.SS) << 4;
            int sp = test.expectedRegister(VectorCase.SP);
            pushedFlagsLow = ssBase + ((sp + 4) & 0xFFFF);
            pushedFlagsHigh = ssBase + ((sp + 5) & 0xFFFF);
        }
        for (Map.Entry<Integer, Integer> entry : expected.entrySet()) {
            int address = entry.getKey();
            int ignored = address == pushedFlagsLow ? undefinedFlags & 0xFF
                    : address == pushedFlagsHigh ? undefinedFlags >>> 8 : 0;
            int actual = memory.read8(address);
            if (((actual ^ entry.getValue()) & ~ignored & 0xFF) != 0) {
                differences.add(String.format("ram[%06X]: expected %02X got %02X", address, entry.getValue(), actual));
            }
        }
    }

    private static void expectEqual(String what, int expected, int actual, List<String> differences) {
        if (expected != actual) {
            differences.add(String.format("%s: expected %04X got %04X", what, expected, actual));
        }
    }
}
