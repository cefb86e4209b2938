package dev.twinstep.core.cpu;

import dev.twinstep.core.memory.GuestMemory;

/**
 * Segmented and linear memory access for the CPU: segment limit and rights checks, paging with a
 * software TLB, and the physical access through {@link GuestMemory} (which marks pages dirty).
 *
 * <p>SKELETON: flat, no checks, no paging yet. The protected-mode/paging owner replaces the bodies
 * and keeps the signatures.
 */
public final class Mmu {
    private final Cpu cpu;
    private final GuestMemory memory;

    Mmu(Cpu cpu) {
        this.cpu = cpu;
        this.memory = cpu.memory;
    }

    // ---------------------------------------------------------------- segmented data access

    public int read8(int seg, int offset) {
        return readLinear8(cpu.segBase[seg] + offset);
    }

    public int read16(int seg, int offset) {
        return readLinear16(cpu.segBase[seg] + offset);
    }

    public int read32(int seg, int offset) {
        return readLinear32(cpu.segBase[seg] + offset);
    }

    public void write8(int seg, int offset, int value) {
        writeLinear8(cpu.segBase[seg] + offset, value);
    }

    public void write16(int seg, int offset, int value) {
        writeLinear16(cpu.segBase[seg] + offset, value);
    }

    public void write32(int seg, int offset, int value) {
        writeLinear32(cpu.segBase[seg] + offset, value);
    }

    // ---------------------------------------------------------------- linear access at the current CPL

    public int readLinear8(int linear) {
        return memory.read8(linear);
    }

    public int readLinear16(int linear) {
        return memory.read16(linear);
    }

    public int readLinear32(int linear) {
        return memory.read32(linear);
    }

    public void writeLinear8(int linear, int value) {
        memory.write8(linear, value);
    }

    public void writeLinear16(int linear, int value) {
        memory.write16(linear, value);
    }

    public void writeLinear32(int linear, int value) {
        memory.write32(linear, value);
    }

    // ---------------------------------------------------------------- supervisor access (GDT, IDT, TSS)

    public int readSystem8(int linear) {
        return memory.read8(linear);
    }

    public int readSystem16(int linear) {
        return memory.read16(linear);
    }

    public int readSystem32(int linear) {
        return memory.read32(linear);
    }

    public void writeSystem8(int linear, int value) {
        memory.write8(linear, value);
    }

    public void writeSystem16(int linear, int value) {
        memory.write16(linear, value);
    }

    public void writeSystem32(int linear, int value) {
        memory.write32(linear, value);
    }

    // ---------------------------------------------------------------- instruction fetch

    /** Translates a linear code address for execution at the current CPL; raises #PF on failure. */
    public int translateFetch(int linear) {
        return linear;
    }

    // ---------------------------------------------------------------- TLB maintenance

    /** Drops every cached translation (CR3 load, CR0.PG/WP or CR4.PSE change). */
    public void flushTlb() {
    }

    /** INVLPG: drops the translation of one linear page. */
    public void invalidatePage(int linear) {
    }

    // ---------------------------------------------------------------- control registers

    /** MOV CR0: applies the new value and flushes what the change invalidates. */
    public void writeCr0(int value) {
        cpu.cr0 = value | Cpu.CR0_ET;
        flushTlb();
    }

    /** MOV CR3: new page directory; flushes the TLB. */
    public void writeCr3(int value) {
        cpu.cr3 = value;
        flushTlb();
    }

    /** MOV CR4. */
    public void writeCr4(int value) {
        cpu.cr4 = value;
        flushTlb();
    }
}
