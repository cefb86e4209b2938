package dev.twinstep.core.cpu.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.CpuException;
import dev.twinstep.core.memory.GuestMemory;
import org.junit.jupiter.api.function.Executable;

/**
 * A CPU over 16 MiB of flat RAM with helpers to lay out the system tables a protected-mode test
 * needs: GDT at 0x1000, IDT at 0x2000, page directory at 0x10000, TSSs wherever a test puts them.
 */
abstract class ProtectedModeFixture {
    static final int GDT = 0x1000, IDT = 0x2000, PAGE_DIRECTORY = 0x10000;

    final GuestMemory memory = new GuestMemory(16L << 20, false);
    final Cpu cpu = new Cpu(memory, new IoBus());

    /** Code/data descriptor: type is the 4-bit type, s=1; flags: 0xC = G+D/B (4 KiB granular, 32-bit). */
    static long descriptor(int base, int limit, int type, int dpl, boolean present, int flags) {
        long low = (limit & 0xFFFFL) | ((base & 0xFFFFL) << 16);
        long high = ((base >>> 16) & 0xFF) | ((long) (type & 0x1F) << 8) | ((long) dpl << 13)
                | (present ? 1L << 15 : 0) | (limit & 0xF0000L) | ((long) (flags & 0xF) << 20)
                | ((base & 0xFF000000L));
        return low | (high << 32);
    }

    static long flatCode(int dpl) {
        return descriptor(0, 0xFFFFF, 0x1B, dpl, true, 0xC);
    }

    static long flatData(int dpl) {
        return descriptor(0, 0xFFFFF, 0x13, dpl, true, 0xC);
    }

    /** A gate descriptor (call, interrupt, trap or task gate). */
    static long gate(int selector, int offset, int type, int dpl, int paramCount) {
        long low = (offset & 0xFFFFL) | ((long) (selector & 0xFFFF) << 16);
        long high = (paramCount & 0x1F) | ((long) type << 8) | ((long) dpl << 13) | (1L << 15)
                | (offset & 0xFFFF0000L);
        return low | (high << 32);
    }

    void putDescriptor(int tableBase, int index, long value) {
        memory.write32(tableBase + index * 8, (int) value);
        memory.write32(tableBase + index * 8 + 4, (int) (value >>> 32));
    }

    void putGdt(int index, long value) {
        putDescriptor(GDT, index, value);
    }

    void putIdt(int vector, long value) {
        putDescriptor(IDT, vector, value);
    }

    /**
     * Switches to protected mode at CPL 0 with flat 32-bit CS (selector 0x08) and DS/ES/SS/FS/GS
     * (0x10), setting the segment caches directly as a far jump and segment loads would.
     */
    void enterFlatProtectedMode() {
        putGdt(0, 0);
        putGdt(1, flatCode(0));
        putGdt(2, flatData(0));
        cpu.gdtrBase = GDT;
        cpu.gdtrLimit = 0x3FF;
        cpu.idtrBase = IDT;
        cpu.idtrLimit = 0x7FF;
        cpu.mmu.writeCr0(cpu.cr0 | Cpu.CR0_PE);
        for (int seg = 0; seg < 6; seg++) {
            boolean code = seg == Cpu.CS;
            cpu.segSel[seg] = code ? 0x08 : 0x10;
            cpu.segBase[seg] = 0;
            cpu.segLimit[seg] = -1;
            cpu.segAttr[seg] = Cpu.ATTR_P | Cpu.ATTR_S | Cpu.ATTR_DB | Cpu.ATTR_G | (code ? 0xB : 0x3);
        }
        cpu.cpl = 0;
        cpu.eip = cpu.nextEip = 0x1000;
        cpu.regs[Cpu.ESP] = 0x8000;
    }

    /** Identity-maps the first 8 MiB with 4 KiB user-writable pages and turns paging on. */
    void enableIdentityPaging() {
        for (int table = 0; table < 2; table++) {
            int tableBase = PAGE_DIRECTORY + 0x1000 * (table + 1);
            memory.write32(PAGE_DIRECTORY + table * 4, tableBase | 0x7);
            for (int i = 0; i < 1024; i++) {
                memory.write32(tableBase + i * 4, ((table << 22) + (i << 12)) | 0x7);
            }
        }
        cpu.mmu.writeCr3(PAGE_DIRECTORY);
        cpu.mmu.writeCr0(cpu.cr0 | Cpu.CR0_PE | Cpu.CR0_PG);
    }

    static final int TSS = 0x3000, USER_CODE = 0x1B, USER_DATA = 0x23, TSS_SELECTOR = 0x28;
    static final int KERNEL_STACK_TOP = 0x9000, USER_STACK_TOP = 0x7000;

    /** A 32-bit available TSS descriptor. */
    static long tssDescriptor(int base, int limit) {
        return descriptor(base, limit, 0x09, 0, true, 0);
    }

    /**
     * Adds ring-3 code (0x1B) and data (0x23) and a 32-bit TSS (0x28, at 0x3000, ESP0 = 0x9000,
     * SS0 = 0x10) to the flat protected-mode setup, loads TR, and drops to CPL 3 with ESP 0x7000.
     */
    void enterUserMode() {
        putGdt(3, flatCode(3));
        putGdt(4, flatData(3));
        putGdt(5, tssDescriptor(TSS, 0x67));
        memory.write32(TSS + 4, KERNEL_STACK_TOP);
        memory.write32(TSS + 8, 0x10);
        cpu.segmentation.loadTaskRegister(TSS_SELECTOR);
        cpu.cpl = 3;
        cpu.segSel[Cpu.CS] = USER_CODE;
        cpu.segAttr[Cpu.CS] = Cpu.ATTR_P | Cpu.ATTR_S | Cpu.ATTR_DB | Cpu.ATTR_G | (3 << Cpu.ATTR_DPL_SHIFT) | 0xB;
        for (int seg : new int[] {Cpu.SS, Cpu.DS, Cpu.ES, Cpu.FS, Cpu.GS}) {
            cpu.segmentation.loadSegment(seg, USER_DATA);
        }
        cpu.regs[Cpu.ESP] = USER_STACK_TOP;
    }

    int pteAddress(int linear) {
        int pde = memory.read32(PAGE_DIRECTORY + (linear >>> 22) * 4);
        return (pde & 0xFFFFF000) + ((linear >>> 12) & 0x3FF) * 4;
    }

    void setPte(int linear, int value) {
        memory.write32(pteAddress(linear), value);
    }

    int pte(int linear) {
        return memory.read32(pteAddress(linear));
    }

    /** Asserts that {@code action} raises exactly {@code vector} with {@code errorCode}. */
    static void assertFault(int vector, int errorCode, Executable action) {
        CpuException e = assertThrows(CpuException.class, action);
        assertEquals(vector, e.vector, "vector");
        assertEquals(errorCode, e.errorCode, "error code");
    }
}
