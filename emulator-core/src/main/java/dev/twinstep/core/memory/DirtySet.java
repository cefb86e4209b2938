package dev.twinstep.core.memory;

import java.util.function.IntConsumer;

/**
 * An immutable set of dirty unit numbers taken from a dirty log: guest pages from a {@link DirtyLog},
 * or disk sectors from a disk's dirty-sector log.
 */
public final class DirtySet {
    private final long[] bits;
    private final int count;

    /** @param bits one bit per unit, owned by the set from now on; {@code count} of them set */
    public DirtySet(long[] bits, int count) {
        this.bits = bits;
        this.count = count;
    }

    /** The number of units in the set. */
    public int count() {
        return count;
    }

    /** Whether {@code unit} is in the set. */
    public boolean contains(int unit) {
        int word = unit >>> 6;
        return unit >= 0 && word < bits.length && (bits[word] & (1L << unit)) != 0;
    }

    /** Calls {@code action} for every unit, in ascending order. */
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

    /** The unit numbers in ascending order. */
    public int[] toArray() {
        int[] units = new int[count];
        int[] next = {0};
        forEach(unit -> units[next[0]++] = unit);
        return units;
    }
}
