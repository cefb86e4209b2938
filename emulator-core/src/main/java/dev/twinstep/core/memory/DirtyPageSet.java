package dev.twinstep.core.memory;

import java.util.function.IntConsumer;

/** An immutable set of dirty page numbers taken from a {@link DirtyLog}. */
public final class DirtyPageSet {
    private final long[] bits;
    private final int count;

    DirtyPageSet(long[] bits, int count) {
        this.bits = bits;
        this.count = count;
    }

    /** The number of pages in the set. */
    public int count() {
        return count;
    }

    /** Whether {@code page} is in the set. */
    public boolean contains(int page) {
        int word = page >>> 6;
        return word < bits.length && (bits[word] & (1L << page)) != 0;
    }

    /** Calls {@code action} for every page, in ascending order. */
    public void forEach(IntConsumer action) {
        for (int i = 0; i < bits.length; i++) {
            long word = bits[i];
            while (word != 0) {
                int bit = Long.numberOfTrailingZeros(word);
                action.accept((i << 6) + bit);
                word &= word - 1;
            }
        }
    }

    /** The page numbers in ascending order. */
    public int[] toArray() {
        int[] pages = new int[count];
        int[] next = {0};
        forEach(page -> pages[next[0]++] = page);
        return pages;
    }
}
