package dev.twinstep.core.memory;

/**
 * One dirty bit per 4 KiB guest-physical page, kept separately for each {@link Client}.
 *
 * <p>Every write to guest RAM (CPU store or device DMA) goes through {@link GuestMemory}, which marks
 * the page here for every client at once. A reader takes its own client's set and clears it in one
 * step; the other clients' bits are untouched. Single writer: only the machine thread marks and takes.
 */
public final class DirtyLog {
    /** Who consumes dirty bits. Each client sees every write, and clears only its own bits. */
    public enum Client {
        /** Snapshots (full and incremental). */
        MIGRATION,
        /**
         * Live migration and COLO checkpoints: their own bits, so that a snapshot taken while a
         * replica is being fed cannot steal pages from the replica's next round.
         */
        REPLICATION,
        /** The CPU's decoded-block cache: a written page's blocks are stale. */
        CODE
    }

    private final int pageCount;
    private final long[] migrationBits;
    private final long[] codeBits;
    private final long[] replicationBits;

    /** Creates an empty log for {@code pageCount} pages of RAM. */
    public DirtyLog(int pageCount) {
        this.pageCount = pageCount;
        int words = (pageCount + 63) >>> 6;
        this.migrationBits = new long[words];
        this.codeBits = new long[words];
        this.replicationBits = new long[words];
    }

    /** The number of pages the log covers. */
    public int pageCount() {
        return pageCount;
    }

    /** Marks one page dirty for every client. Hot path: three ORs, no branches on the client. */
    public void markPage(int page) {
        int word = page >>> 6;
        long bit = 1L << page;
        migrationBits[word] |= bit;
        codeBits[word] |= bit;
        replicationBits[word] |= bit;
    }

    /** Marks every page touched by {@code length} bytes starting at physical address {@code address}. */
    public void markRange(long address, long length) {
        if (length <= 0) {
            return;
        }
        int first = (int) (address >>> GuestMemory.PAGE_SHIFT);
        int last = (int) ((address + length - 1) >>> GuestMemory.PAGE_SHIFT);
        for (int page = first; page <= last && page < pageCount; page++) {
            markPage(page);
        }
    }

    /** Whether {@code page} was written since {@code client} last took or cleared it. */
    public boolean isDirty(Client client, int page) {
        return (bits(client)[page >>> 6] & (1L << page)) != 0;
    }

    /** Clears one page's bit for one client and says whether it was set. */
    public boolean testAndClear(Client client, int page) {
        long[] bits = bits(client);
        int word = page >>> 6;
        long bit = 1L << page;
        boolean was = (bits[word] & bit) != 0;
        bits[word] &= ~bit;
        return was;
    }

    /**
     * Takes the client's dirty set and clears it: afterwards {@code into} holds exactly the bits set
     * since the previous take, and the log holds none of them. Nothing is lost in between because the
     * only writer is the caller's own thread.
     *
     * @param into a bitmap of at least {@link #wordCount()} words; overwritten
     * @return the number of dirty pages taken
     */
    public int takeAndClear(Client client, long[] into) {
        long[] bits = bits(client);
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

    /** Convenience form of {@link #takeAndClear(Client, long[])} that allocates the result. */
    public DirtySet takeAndClear(Client client) {
        long[] into = new long[wordCount()];
        int count = takeAndClear(client, into);
        return new DirtySet(into, count);
    }

    /** Sets bits again (e.g. when sending a taken set failed, so that no bit is lost). */
    public void restore(Client client, long[] taken) {
        long[] bits = bits(client);
        for (int i = 0; i < bits.length && i < taken.length; i++) {
            bits[i] |= taken[i];
        }
    }

    /** Copies the client's bits into {@code into} without clearing them (to roll back a failed take). */
    public void copyBits(Client client, long[] into) {
        long[] bits = bits(client);
        System.arraycopy(bits, 0, into, 0, bits.length);
    }

    /** The length, in longs, of a bitmap that holds one client's bits. */
    public int wordCount() {
        return migrationBits.length;
    }

    /** How many pages are dirty for {@code client}, without clearing them. */
    public int count(Client client) {
        int count = 0;
        for (long word : bits(client)) {
            count += Long.bitCount(word);
        }
        return count;
    }

    private long[] bits(Client client) {
        return switch (client) {
            case MIGRATION -> migrationBits;
            case CODE -> codeBits;
            case REPLICATION -> replicationBits;
        };
    }
}
