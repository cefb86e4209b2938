package dev.twinstep.devices.storage;

import java.util.function.IntConsumer;

/** An immutable set of dirty sector numbers taken from a {@link SectorDirtyLog}. */
public final class DirtySectorSet {
    private final long[] bits;
    private final int count;

    DirtySectorSet(long[] bits, int count) {
        this.bits = bits;
        this.count = count;
    }

    /** The number of sectors in the set. */
    public int count() {
        return count;
    }

    /** Whether {@code sector} is in the set. */
    public boolean contains(int sector) {
        int word = sector >>> 6;
        return sector >= 0 && word < bits.length && (bits[word] & (1L << sector)) != 0;
    }

    /** Calls {@code action} for every sector, in ascending order. */
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

    /** The sector numbers in ascending order. */
    public int[] toArray() {
        int[] sectors = new int[count];
        int[] next = {0};
        forEach(sector -> sectors[next[0]++] = sector);
        return sectors;
    }
}
