package dev.twinstep.core.cpu;

import dev.twinstep.core.memory.GuestMemory;
import java.util.Arrays;

/**
 * Decoded blocks keyed by physical address and code size, in a direct-mapped table. Each physical
 * page has a code generation; a block is valid while the generations it was decoded under are
 * current. A store to a page holding decoded code (CPU or DMA, reported by
 * {@link GuestMemory}'s code-write listener) bumps the page's generation, which drops every block
 * on it in O(1).
 */
final class BlockCache {
    private static final int TABLE_BITS = 16;

    private final Block[] table = new Block[1 << TABLE_BITS];
    private final int[] generation = new int[GuestMemory.ADDRESS_SPACE_PAGES];
    private final GuestMemory memory;

    BlockCache(GuestMemory memory) {
        this.memory = memory;
    }

    private static int slot(int phys, boolean code32) {
        int h = phys * 0x9E3779B1 + (code32 ? 0x5bd1e995 : 0);
        return (h ^ (h >>> 15)) & ((1 << TABLE_BITS) - 1);
    }

    /** The valid block at {@code phys}, or null. Straddling blocks are checked by the caller. */
    Block lookup(int phys, boolean code32) {
        Block b = table[slot(phys, code32)];
        if (b != null && b.phys == phys && b.code32 == code32 && generation[b.page] == b.generation
                && (b.page2 < 0 || generation[b.page2] == b.generation2)) {
            return b;
        }
        return null;
    }

    /** The block was not invalidated by a write to its code since it was decoded. */
    boolean isValid(Block b) {
        return generation[b.page] == b.generation && (b.page2 < 0 || generation[b.page2] == b.generation2);
    }

    int generation(int page) {
        return generation[page];
    }

    void put(Block b) {
        table[slot(b.phys, b.code32)] = b;
        memory.markCodePage(b.page);
        if (b.page2 >= 0) {
            memory.markCodePage(b.page2);
        }
    }

    /** A page with decoded code was written: its blocks become invalid. */
    void pageWritten(int page) {
        generation[page]++;
        memory.clearCodePage(page);
    }

    void flush() {
        Arrays.fill(table, null);
        // Word by word: a checkpoint load flushes, and most of the 4 GiB address space holds no code.
        for (int word = 0; word < memory.codePageWords(); word++) {
            long pages = memory.takeCodePageWord(word);
            while (pages != 0) {
                generation[(word << 6) + Long.numberOfTrailingZeros(pages)]++;
                pages &= pages - 1;
            }
        }
    }
}
