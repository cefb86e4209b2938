package dev.twinstep.core.cpu;

import dev.twinstep.core.memory.GuestMemory;

/**
 * The i386 two-level page walk: 4 KiB pages and, with CR4.PSE, 4 MiB pages; global pages with
 * CR4.PGE (kept across CR3 loads); U/S and R/W rights
 * combined over both levels; CR0.WP for supervisor writes; accessed and dirty bits set as the
 * hardware sets them (only when the access is allowed); #PF with CR2 and the P, W/R and U/S error
 * code bits. Successful walks refill the {@link Tlb}.
 */
final class PagingUnit {
    static final int PF_PRESENT = 1, PF_WRITE = 2, PF_USER = 4;
    private static final int PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 0x20, PTE_D = 0x40, PDE_PS = 0x80, PTE_G = 0x100;

    private final Cpu cpu;
    private final GuestMemory memory;
    private final Tlb tlb;

    PagingUnit(Cpu cpu, Tlb tlb) {
        this.cpu = cpu;
        this.memory = cpu.memory;
        this.tlb = tlb;
    }

    /**
     * Translates {@code linear} for one access, sets A/D bits and refills the TLB slot. The result has
     * the A20 gate's mask applied, so the TLB's fast paths inherit it (the gate flushes the TLB).
     *
     * @return the physical address
     * @throws CpuException #PF, with CR2 set
     */
    int translate(int linear, boolean write, boolean user) {
        if ((cpu.cr0 & Cpu.CR0_PG) == 0) {
            int physical = linear & memory.a20Mask();
            install(linear, physical, false, 0, true, true, true);
            return physical;
        }
        int pdeAddress = (cpu.cr3 & Tlb.PAGE_MASK) | ((linear >>> 20) & 0xFFC);
        int pde = memory.read32(pdeAddress);
        if ((pde & PTE_P) == 0) {
            throw pageFault(linear, 0, write, user);
        }
        if ((pde & PDE_PS) != 0 && (cpu.cr4 & Cpu.CR4_PSE) != 0) {
            checkRights(linear, pde, write, user);
            int updated = pde | PTE_A | (write ? PTE_D : 0);
            if (updated != pde) {
                memory.write32(pdeAddress, updated);
            }
            int physical = ((pde & 0xFFC00000) | (linear & 0x003FFFFF)) & memory.a20Mask();
            install(linear, physical, true, pde, (pde & PTE_US) != 0, (pde & PTE_RW) != 0, (updated & PTE_D) != 0);
            return physical;
        }
        int pteAddress = (pde & Tlb.PAGE_MASK) | ((linear >>> 10) & 0xFFC);
        int pte = memory.read32(pteAddress);
        if ((pte & PTE_P) == 0) {
            throw pageFault(linear, 0, write, user);
        }
        int rights = pde & pte;
        checkRights(linear, rights, write, user);
        if ((pde & PTE_A) == 0) {
            memory.write32(pdeAddress, pde | PTE_A);
        }
        int updated = pte | PTE_A | (write ? PTE_D : 0);
        if (updated != pte) {
            memory.write32(pteAddress, updated);
        }
        int physical = ((pte & Tlb.PAGE_MASK) | (linear & 0xFFF)) & memory.a20Mask();
        install(linear, physical, false, pte, (rights & PTE_US) != 0, (rights & PTE_RW) != 0, (updated & PTE_D) != 0);
        return physical;
    }

    private void checkRights(int linear, int rights, boolean write, boolean user) {
        if (user) {
            if ((rights & PTE_US) == 0 || (write && (rights & PTE_RW) == 0)) {
                throw pageFault(linear, PF_PRESENT, write, user);
            }
        } else if (write && (rights & PTE_RW) == 0 && (cpu.cr0 & Cpu.CR0_WP) != 0) {
            throw pageFault(linear, PF_PRESENT, write, user);
        }
    }

    private CpuException pageFault(int linear, int present, boolean write, boolean user) {
        cpu.cr2 = linear;
        return cpu.fault(CpuException.PF, present | (write ? PF_WRITE : 0) | (user ? PF_USER : 0));
    }

    private void install(int linear, int physical, boolean largePage, int leafEntry, boolean userAllowed,
            boolean writable, boolean dirty) {
        boolean globalPage = (leafEntry & PTE_G) != 0 && (cpu.cr4 & Cpu.CR4_PGE) != 0;
        int page = physical >>> GuestMemory.PAGE_SHIFT;
        byte kind = memory.pageKind(page);
        boolean readable = kind == GuestMemory.RAM || kind == GuestMemory.ROM;
        boolean fastWrite = kind == GuestMemory.RAM && dirty && !memory.isCodePage(page);
        boolean supervisorWrite = fastWrite && (writable || (cpu.cr0 & Cpu.CR0_WP) == 0);
        tlb.install(linear, physical, largePage, globalPage, readable, userAllowed, supervisorWrite,
                fastWrite && userAllowed && writable);
    }
}
