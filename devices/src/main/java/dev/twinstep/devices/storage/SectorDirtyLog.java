package dev.twinstep.devices.storage;

import dev.twinstep.core.memory.DirtySet;

/**
 * One dirty bit per 512-byte disk sector: the disk twin of the RAM
 * {@link dev.twinstep.core.memory.DirtyLog}.
 *
 * <p>Every sector write to a {@link DiskImage} goes through the image, which marks the written sectors
 * here before it touches the file, so no caller can forget to mark and a write that fails half-way is
 * still counted (a spare bit costs one needless copy; a lost bit corrupts a replica). A reader takes
 * the set and clears it in one step. Unlike RAM there is a single consumer (snapshots, migration and
 * COLO checkpoints; there is no decoded-code cache for a disk), so there is one set of bits, not one
 * per client. Single writer: only the machine thread marks and takes.
 */
public final class SectorDirtyLog {
    /** The largest disk the log covers: every sector an LBA28 address can reach (128 GiB). */
    public static final long MAX_SECTORS = 1L << 28;

    private final int sectorCount;
    private final long[] bits;

    /** Creates an empty log for {@code sectorCount} sectors. */
    public SectorDirtyLog(long sectorCount) {
        if (sectorCount < 0 || sectorCount > MAX_SECTORS) {
            throw new IllegalArgumentException("sector count out of range: " + sectorCount);
        }
        this.sectorCount = (int) sectorCount;
        this.bits = new long[(this.sectorCount + 63) >>> 6];
    }

    /** The number of sectors the log covers. */
    public int sectorCount() {
        return sectorCount;
    }

    /** Marks one sector dirty. */
    public void markSector(int sector) {
        bits[sector >>> 6] |= 1L << sector;
    }

    /** Marks {@code count} sectors starting at {@code first}; sectors past the end are ignored. */
    public void markRange(long first, int count) {
        long end = Math.min(first + count, sectorCount);
        for (long sector = Math.max(first, 0); sector < end; sector++) {
            markSector((int) sector);
        }
    }

    /** Whether {@code sector} was written since the log was last taken or cleared. */
    public boolean isDirty(int sector) {
        return (bits[sector >>> 6] & (1L << sector)) != 0;
    }

    /** Clears one sector's bit and says whether it was set. */
    public boolean testAndClear(int sector) {
        int word = sector >>> 6;
        long bit = 1L << sector;
        boolean was = (bits[word] & bit) != 0;
        bits[word] &= ~bit;
        return was;
    }

    /**
     * Takes the dirty set and clears it: afterwards {@code into} holds exactly the bits set since the
     * previous take, and the log holds none of them. Nothing is lost in between because the only
     * writer is the caller's own thread.
     *
     * @param into a bitmap of at least {@link #wordCount()} words; overwritten
     * @return the number of dirty sectors taken
     */
    public int takeAndClear(long[] into) {
        if (into.length < bits.length) {
            throw new IllegalArgumentException("bitmap too small: " + into.length + " < " + bits.length);
        }
        int count = 0;
        for (int i = 0; i < bits.length; i++) {
            long word = bits[i];
            into[i] = word;
            bits[i] = 0;
            count += Long.bitCount(word);
        }
        return count;
    }

    /** Convenience form of {@link #takeAndClear(long[])} that allocates the result. */
    public DirtySet takeAndClear() {
        long[] into = new long[wordCount()];
        int count = takeAndClear(into);
        return new DirtySet(into, count);
    }

    /** Sets bits again (e.g. when sending a taken set failed, so that no bit is lost). */
    public void restore(long[] taken) {
        for (int i = 0; i < bits.length && i < taken.length; i++) {
            bits[i] |= taken[i];
        }
    }

    /** The length, in longs, of a bitmap that holds the log's bits. */
    public int wordCount() {
        return bits.length;
    }

    /** How many sectors are dirty, without clearing them. */
    public int count() {
        int count = 0;
        for (long word : bits) {
            count += Long.bitCount(word);
        }
        return count;
    }

    /** A copy of the bitmap, one bit per sector, leaving the log as it is (for a snapshot). */
    public long[] words() {
        return bits.clone();
    }

    /**
     * Makes the log exactly {@code words} (a snapshot being loaded).
     *
     * @throws IllegalArgumentException if the length differs or a bit lies beyond the last sector
     */
    public void replaceWith(long[] words) {
        if (words.length != bits.length) {
            throw new IllegalArgumentException("bitmap of " + words.length + " words, the log has " + bits.length);
        }
        int tail = sectorCount & 63;
        if (tail != 0 && (words[words.length - 1] >>> tail) != 0) {
            throw new IllegalArgumentException("dirty bits beyond sector " + (sectorCount - 1));
        }
        System.arraycopy(words, 0, bits, 0, bits.length);
    }
}
