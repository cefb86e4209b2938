package dev.twinstep.core.boot;

import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.memory.GuestMemory;

/**
 * Puts the CPU in the state a Multiboot kernel is entered in, as QEMU's multiboot option ROM leaves
 * it: protected mode with paging off, CS = 0x08 and every data segment = 0x10, all flat (base 0,
 * limit 4 GiB), interrupts off, direction flag clear. A GDT with the same five descriptors the option
 * ROM uses is written to guest memory, so that the kernel reloading a selector gets what is cached.
 */
public final class ProtectedModeEntry {
    /** Where the GDT goes: inside the BIOS area that the memory map reports as reserved. */
    public static final int GDT_ADDRESS = 0xFFF00;
    public static final int CODE_SELECTOR = 0x08;
    public static final int DATA_SELECTOR = 0x10;

    /** Null, 32-bit code, 32-bit data, 16-bit code, 16-bit data (the option ROM's table). */
    private static final long[] GDT = {
        0x0000000000000000L,
        0x00CF9A000000FFFFL,
        0x00CF93000000FFFFL,
        0x00009E000000FFFFL,
        0x000092000000FFFFL,
    };
    /** Cached attributes (descriptor bits 40-55 >> 8), accessed bit set as after a load. */
    private static final int CODE_ATTR = 0xC09B;
    private static final int DATA_ATTR = 0xC093;
    /** A stack below the multiboot tables; the spec leaves ESP undefined, so the kernel sets its own. */
    public static final int INITIAL_ESP = 0x7000;

    private ProtectedModeEntry() {
    }

    /** Writes the GDT and sets the CPU registers to enter {@code entry} with EAX/EBX as given. */
    public static void enter(Cpu cpu, GuestMemory memory, int entry, int eax, int ebx) {
        for (int i = 0; i < GDT.length; i++) {
            memory.write32(GDT_ADDRESS + i * 8, (int) GDT[i]);
            memory.write32(GDT_ADDRESS + i * 8 + 4, (int) (GDT[i] >>> 32));
        }
        cpu.gdtrBase = GDT_ADDRESS;
        cpu.gdtrLimit = GDT.length * 8 - 1;
        cpu.idtrBase = 0;
        cpu.idtrLimit = 0x3FF;
        cpu.cr0 = Cpu.CR0_PE | Cpu.CR0_ET;
        cpu.cr3 = 0;
        cpu.cr4 = 0;
        cpu.cpl = 0;
        for (int seg = 0; seg < 6; seg++) {
            boolean code = seg == Cpu.CS;
            cpu.segSel[seg] = code ? CODE_SELECTOR : DATA_SELECTOR;
            cpu.segBase[seg] = 0;
            cpu.segLimit[seg] = 0xFFFFFFFF;
            cpu.segAttr[seg] = code ? CODE_ATTR : DATA_ATTR;
        }
        cpu.setEflags(0x2);
        java.util.Arrays.fill(cpu.regs, 0);
        cpu.regs[Cpu.EAX] = eax;
        cpu.regs[Cpu.EBX] = ebx;
        cpu.regs[Cpu.ESP] = INITIAL_ESP;
        cpu.eip = entry;
        cpu.nextEip = entry;
        cpu.halted = false;
        cpu.mmu.flushTlb();
    }
}
