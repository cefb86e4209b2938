package dev.twinstep.core.cpu.blackbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;
import java.time.Duration;
import java.util.Arrays;

/**
 * A CPU over flat RAM, set up in real mode or in flat 32-bit protected mode, for tests that run small
 * byte sequences through {@link Cpu#execute} and look only at the architectural result.
 *
 * <p>Layout (linear = physical without paging): real-mode IVT at 0; GDT at {@link #GDT}; IDT at
 * {@link #IDT}; one exception stub per vector at {@link #HANDLERS} + 4 * vector, each a HLT, so the
 * place where the CPU halted tells which vector was delivered; code at {@link #CODE}.
 */
final class TestMachine {
    static final int GDT = 0x0500;
    static final int IDT = 0x0600;
    static final int HANDLERS = 0x0800;
    static final int CODE = 0x1000;
    static final int STACK_TOP = 0x9000;
    static final int CODE32_SELECTOR = 0x08;
    static final int DATA32_SELECTOR = 0x10;
    static final int HLT = 0xF4;
    static final int FLAT_CODE32 = Cpu.ATTR_P | Cpu.ATTR_S | 0xB | Cpu.ATTR_DB | Cpu.ATTR_G;
    static final int FLAT_DATA32 = Cpu.ATTR_P | Cpu.ATTR_S | 0x3 | Cpu.ATTR_DB | Cpu.ATTR_G;
    /** Calls of execute(1) before a program that never halts is given up. */
    private static final int STEP_LIMIT = 200_000;

    final GuestMemory memory = new GuestMemory(16L << 20, false);
    final Cpu cpu = new Cpu(memory, new IoBus());
    private final CpuWatchdog watchdog = new CpuWatchdog(cpu, Duration.ofSeconds(5));

    private TestMachine() {
        for (int vector = 0; vector < 32; vector++) {
            poke(HANDLERS + 4 * vector, HLT);
        }
    }

    /** Real mode, CS = DS = ES = SS = 0, IP = {@link #CODE}, SP = {@link #STACK_TOP}, IVT to the stubs. */
    static TestMachine realMode() {
        TestMachine machine = new TestMachine();
        Cpu cpu = machine.cpu;
        for (int vector = 0; vector < 32; vector++) {
            machine.poke16(4 * vector, HANDLERS + 4 * vector);
            machine.poke16(4 * vector + 2, 0);
        }
        for (int segment = 0; segment < 6; segment++) {
            machine.loadRealSegment(segment, 0);
        }
        cpu.regs[Cpu.ESP] = STACK_TOP;
        machine.jumpTo(CODE);
        return machine;
    }

    /**
     * Flat 32-bit protected mode at CPL 0: CS = 0x08 and data selectors 0x10, all with base 0 and a
     * 4 GiB limit, matching descriptors in a GDT, and an IDT of 32-bit interrupt gates to the stubs.
     */
    static TestMachine flat32() {
        TestMachine machine = new TestMachine();
        Cpu cpu = machine.cpu;
        machine.poke32(GDT + 8, 0x0000FFFF);
        machine.poke32(GDT + 12, 0x00CF9A00);
        machine.poke32(GDT + 16, 0x0000FFFF);
        machine.poke32(GDT + 20, 0x00CF9200);
        cpu.gdtrBase = GDT;
        cpu.gdtrLimit = 3 * 8 - 1;
        for (int vector = 0; vector < 32; vector++) {
            int handler = HANDLERS + 4 * vector;
            machine.poke32(IDT + 8 * vector, (CODE32_SELECTOR << 16) | (handler & 0xFFFF));
            machine.poke32(IDT + 8 * vector + 4, (handler & 0xFFFF0000) | 0x8E00);
        }
        cpu.idtrBase = IDT;
        cpu.idtrLimit = 32 * 8 - 1;
        cpu.cr0 |= Cpu.CR0_PE;
        cpu.cpl = 0;
        for (int segment = 0; segment < 6; segment++) {
            boolean code = segment == Cpu.CS;
            cpu.segSel[segment] = code ? CODE32_SELECTOR : DATA32_SELECTOR;
            cpu.segBase[segment] = 0;
            cpu.segLimit[segment] = 0xFFFFFFFF;
            cpu.segAttr[segment] = code ? FLAT_CODE32 : FLAT_DATA32;
        }
        cpu.regs[Cpu.ESP] = STACK_TOP;
        machine.jumpTo(CODE);
        return machine;
    }

    /** Physical address of the page directory that {@link #enableIdentityPaging()} builds. */
    static final int PAGE_DIRECTORY = 0x300000;
    /** Its four page tables map linear 0-16 MiB (all of RAM) one to one. */
    static final int PAGE_TABLES = 0x301000;
    /** Present, writable, supervisor, accessed, dirty: a PTE the CPU never needs to update. */
    static final int PTE_SETTLED = 0x63;
    static final int PTE_PRESENT_WRITABLE = 0x03;

    /**
     * Turns paging on (CR0.PG) with an identity map of all 16 MiB whose accessed and dirty bits are
     * already set, so that the CPU has no reason to write any page-table entry.
     */
    void enableIdentityPaging() {
        for (int table = 0; table < 4; table++) {
            poke32(PAGE_DIRECTORY + 4 * table, (PAGE_TABLES + table * 0x1000) | 0x23);
        }
        for (int page = 0; page < 4096; page++) {
            poke32(PAGE_TABLES + 4 * page, (page << 12) | PTE_SETTLED);
        }
        cpu.mmu.writeCr3(PAGE_DIRECTORY);
        cpu.mmu.writeCr0(cpu.cr0 | Cpu.CR0_PG);
    }

    /** Maps one linear page (below 16 MiB) to {@code physical} with the given PTE flag bits. */
    void mapPage(int linear, int physical, int pteFlags) {
        poke32(pageTableEntry(linear), (physical & ~0xFFF) | pteFlags);
        cpu.mmu.invalidatePage(linear);
    }

    /** Physical address of the PTE that maps {@code linear} under {@link #enableIdentityPaging()}. */
    static int pageTableEntry(int linear) {
        return PAGE_TABLES + 4 * (linear >>> 12);
    }

    /** Loads a segment register as real mode does: base = selector * 16. */
    void loadRealSegment(int segment, int selector) {
        cpu.segSel[segment] = selector;
        cpu.segBase[segment] = selector << 4;
    }

    /** Continues execution at {@code offset} in the current CS, as a jump there would. */
    void jumpTo(int offset) {
        cpu.eip = offset;
        cpu.nextEip = offset;
    }

    void poke(int address, int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            memory.write8(address + i, bytes[i]);
        }
    }

    void poke16(int address, int value) {
        memory.write16(address, value);
    }

    void poke32(int address, int value) {
        memory.write32(address, value);
    }

    /**
     * Flattens a program written as byte values ({@link Integer}) and byte runs ({@code int[]}, e.g.
     * from {@link #le}) into one byte array.
     */
    static int[] code(Object... parts) {
        int length = 0;
        for (Object part : parts) {
            length += part instanceof int[] ? ((int[]) part).length : 1;
        }
        int[] bytes = new int[length];
        int at = 0;
        for (Object part : parts) {
            if (part instanceof int[]) {
                int[] run = (int[]) part;
                System.arraycopy(run, 0, bytes, at, run.length);
                at += run.length;
            } else {
                bytes[at++] = (Integer) part;
            }
        }
        return bytes;
    }

    /** The low {@code count} bytes of {@code value}, little-endian. */
    static int[] le(int value, int count) {
        int[] bytes = new int[count];
        for (int i = 0; i < count; i++) {
            bytes[i] = (value >>> (8 * i)) & 0xFF;
        }
        return bytes;
    }

    /** Places {@code bytes} at {@link #CODE} followed by a HLT, and starts there. */
    void program(int... bytes) {
        poke(CODE, bytes);
        poke(CODE + bytes.length, HLT);
        jumpTo(CODE);
    }

    /** Runs until a HLT has executed; fails the test if none does. */
    void runToHalt() {
        cpu.halted = false;
        watchdog.arm();
        try {
            for (int steps = 0; !cpu.halted && steps < STEP_LIMIT && !watchdog.fired(); steps++) {
                cpu.execute(1);
            }
        } finally {
            assertFalse(watchdog.disarm(), "the CPU ran for 5 s without reaching a HLT (stopped)");
        }
        assertTrue(cpu.halted, "the program did not reach a HLT");
    }

    /** The linear address of the next instruction (after a HLT: just past it). */
    int linearIp() {
        return cpu.segBase[Cpu.CS] + cpu.eip;
    }

    /** Asserts that the last run ended on the HLT at {@code hltAddress}, not in an exception stub. */
    void assertHaltedAfter(int hltAddress) {
        assertEquals(-1, deliveredVector(), "an exception was delivered");
        assertEquals(hltAddress + 1, linearIp(), "halted at the wrong place");
    }

    /** Asserts that the last run ended in the stub of {@code vector}. */
    void assertDelivered(int vector) {
        assertEquals(vector, deliveredVector(), "delivered vector");
    }

    /** The vector whose stub the CPU halted in, or -1 when it halted elsewhere. */
    int deliveredVector() {
        int offset = linearIp() - 1 - HANDLERS;
        return offset >= 0 && offset < 32 * 4 && (offset & 3) == 0 ? offset >>> 2 : -1;
    }

    /** Drops the dirty pages so far (program loading) so that the next take shows only the run's writes. */
    void forgetDirtyPages() {
        memory.dirtyLog().takeAndClear(DirtyLog.Client.MIGRATION);
    }

    /** Takes the MIGRATION log and asserts it holds exactly these 4 KiB page numbers. */
    void assertDirtyPagesExactly(int... pages) {
        int[] expected = pages.clone();
        Arrays.sort(expected);
        int[] actual = memory.dirtyLog().takeAndClear(DirtyLog.Client.MIGRATION).toArray();
        assertEquals(Arrays.toString(hex(expected)), Arrays.toString(hex(actual)), "dirty pages");
    }

    private static String[] hex(int[] pages) {
        String[] text = new String[pages.length];
        for (int i = 0; i < pages.length; i++) {
            text[i] = Integer.toHexString(pages[i]);
        }
        return text;
    }

    int read16(int address) {
        return memory.read16(address);
    }

    int read32(int address) {
        return memory.read32(address);
    }
}
