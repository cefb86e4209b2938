package dev.twinstep.core.cpu;

import java.util.Arrays;

/**
 * The software TLB: a direct-mapped cache of linear-page translations where a hit is one array
 * lookup. Each slot, indexed by {@code (linear >>> 12) & MASK}, holds one linear page and its
 * {@link #addend} (physical minus linear), and four tags that say for which kind of access the slot
 * may be used without a page walk: read or write, supervisor or user. A tag is the linear page
 * address ({@code linear & 0xFFFFF000}) or {@link #INVALID}, which no page address equals.
 *
 * <p>Only RAM (and, for reads, ROM) pages get tags: MMIO and unmapped pages always take the slow path
 * through {@code GuestMemory}. Write tags are only installed once the page table entry's dirty bit is
 * set, and never for pages holding decoded code, so a fast write never skips a dirty-bit update or a
 * code-page notification. Machine thread only.
 */
final class Tlb {
    static final int BITS = 10;
    static final int SIZE = 1 << BITS;
    static final int MASK = SIZE - 1;
    static final int PAGE_MASK = 0xFFFFF000;
    /** Odd, so never equal to a page-aligned linear address. */
    static final int INVALID = 1;

    final int[] readSupervisor = new int[SIZE];
    final int[] readUser = new int[SIZE];
    final int[] writeSupervisor = new int[SIZE];
    final int[] writeUser = new int[SIZE];
    /** Physical address minus linear address for the slot's page. */
    final int[] addend = new int[SIZE];
    /**
     * Per physical page: a write tag may map it. Set on install, cleared by {@link #dropWrites};
     * a stale {@code true} only costs one scan, so flushes do not clear it.
     */
    private final boolean[] writeMapped = new boolean[1 << 20];

    Tlb() {
        flush();
    }

    static int slot(int linear) {
        return (linear >>> 12) & MASK;
    }

    /** Some slot holds a piece of a 4 MiB page, so INVLPG must drop the whole 4 MiB region. */
    private boolean largePagesCached;

    /** The slot's translation came from a global page (PTE/PDE G bit with CR4.PGE). */
    private final boolean[] global = new boolean[SIZE];

    /** CR3 load with CR4.PGE: drops every translation except those of global pages. */
    void flushNonGlobal() {
        for (int slot = 0; slot < SIZE; slot++) {
            if (!global[slot]) {
                readSupervisor[slot] = INVALID;
                readUser[slot] = INVALID;
                writeSupervisor[slot] = INVALID;
                writeUser[slot] = INVALID;
            }
        }
    }

    void flush() {
        largePagesCached = false;
        Arrays.fill(readSupervisor, INVALID);
        Arrays.fill(readUser, INVALID);
        Arrays.fill(writeSupervisor, INVALID);
        Arrays.fill(writeUser, INVALID);
    }

    void invalidate(int linear) {
        if (largePagesCached) {
            invalidateRegion(linear & 0xFFC00000);
        }
        int slot = slot(linear);
        readSupervisor[slot] = INVALID;
        readUser[slot] = INVALID;
        writeSupervisor[slot] = INVALID;
        writeUser[slot] = INVALID;
    }

    /**
     * Drops every slot whose page lies in the 4 MiB region at {@code region}: the TLB keeps a large
     * page as separate 4 KiB pieces, and INVLPG of any address in it must drop them all. Dropping
     * 4 KiB translations of the region too is allowed (hardware may invalidate more than asked).
     */
    private void invalidateRegion(int region) {
        for (int slot = 0; slot < SIZE; slot++) {
            if (inRegion(readSupervisor[slot], region) || inRegion(readUser[slot], region)
                    || inRegion(writeSupervisor[slot], region) || inRegion(writeUser[slot], region)) {
                readSupervisor[slot] = INVALID;
                readUser[slot] = INVALID;
                writeSupervisor[slot] = INVALID;
                writeUser[slot] = INVALID;
            }
        }
    }

    private static boolean inRegion(int tag, int region) {
        return tag != INVALID && (tag & 0xFFC00000) == region;
    }

    /** Drops every write tag whose page maps to {@code physicalPage}; reads stay cached. */
    void dropWrites(int physicalPage) {
        if (!writeMapped[physicalPage]) {
            return;
        }
        writeMapped[physicalPage] = false;
        for (int slot = 0; slot < SIZE; slot++) {
            int tag = writeSupervisor[slot];
            if (tag != INVALID && ((tag + addend[slot]) >>> 12) == physicalPage) {
                writeSupervisor[slot] = INVALID;
            }
            tag = writeUser[slot];
            if (tag != INVALID && ((tag + addend[slot]) >>> 12) == physicalPage) {
                writeUser[slot] = INVALID;
            }
        }
    }

    /**
     * Fills the slot of {@code linear} with a translation to {@code physical}, usable for the access
     * kinds flagged. All four tags are rewritten, since the addend is shared by the slot.
     */
    void install(int linear, int physical, boolean largePage, boolean globalPage, boolean readable,
            boolean userRead, boolean supervisorWrite, boolean userWrite) {
        largePagesCached |= largePage;
        int slot = slot(linear);
        global[slot] = globalPage;
        int page = linear & PAGE_MASK;
        addend[slot] = (physical & PAGE_MASK) - page;
        readSupervisor[slot] = readable ? page : INVALID;
        readUser[slot] = readable && userRead ? page : INVALID;
        writeSupervisor[slot] = supervisorWrite ? page : INVALID;
        writeUser[slot] = userWrite ? page : INVALID;
        if (supervisorWrite || userWrite) {
            writeMapped[physical >>> 12] = true;
        }
    }
}
