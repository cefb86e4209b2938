package dev.twinstep.core.state;

import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.DirtySet;
import dev.twinstep.core.memory.GuestMemory;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Guest RAM in a snapshot: section "ram" holds every non-zero page (a full image), section
 * "ram.delta" only the pages written since the previous snapshot of either kind (the MIGRATION
 * client of the dirty log). Restoring a full snapshot and then its deltas in order gives the RAM of
 * the last delta. Both kinds reset the MIGRATION log, so the next delta starts from this moment.
 *
 * <p>Payload (version 1): long RAM size, long chain id, int chain sequence; per page, in ascending
 * page order, int page number and the page as a length-prefixed byte array; int -1. Pages are
 * written from guest memory straight into the stream and read from the stream straight into guest
 * memory.
 */
public final class RamSection implements StreamedSection {
    /** Section name of a full RAM image. */
    public static final String FULL = "ram";
    /** Section name of the pages dirty since the previous snapshot. */
    public static final String DELTA = "ram.delta";
    private static final int END_OF_PAGES = -1;
    private static final long HEADER_BYTES = 8 + 8 + 4;
    private static final long PAGE_RECORD_BYTES = 4 + 4 + GuestMemory.PAGE_SIZE;

    private final GuestMemory memory;
    private final SnapshotChain chain;
    private final boolean delta;
    /** The pages the prepared save writes; null when no save is prepared. */
    private DirtySet pagesToSave;
    private long savedChainId;
    private int savedSequence;
    private byte[] page;

    private RamSection(GuestMemory memory, SnapshotChain chain, boolean delta) {
        this.memory = memory;
        this.chain = chain;
        this.delta = delta;
    }

    /** The full-image section of {@code memory}. */
    public static RamSection full(GuestMemory memory, SnapshotChain chain) {
        return new RamSection(memory, chain, false);
    }

    /** The dirty-pages section of {@code memory}; a delta needs a full snapshot before it in {@code chain}. */
    public static RamSection delta(GuestMemory memory, SnapshotChain chain) {
        return new RamSection(memory, chain, true);
    }

    /**
     * Checks, before anything of a snapshot is applied, that its RAM section {@code in} (positioned at
     * its start) fits this machine: the RAM size, and for a delta that it follows the current RAM.
     */
    public static void checkApplicable(String sectionName, StateReader in, GuestMemory memory, SnapshotChain chain) {
        long size = in.getLong();
        if (size != memory.ramSize()) {
            throw new StateFormatException("snapshot RAM is " + size + " bytes, this machine has " + memory.ramSize());
        }
        long id = in.getLong();
        int sequence = in.getInt();
        if (sectionName.equals(DELTA)) {
            chain.checkFollows(id, sequence);
        }
    }

    /**
     * Reads a version-1 RAM payload through without applying it, so that a snapshot whose CRC
     * verifies but whose page list is malformed is refused before anything is loaded: every page
     * inside the RAM size the section states, in strictly ascending order, 4 KiB long; the end mark
     * last.
     */
    static void checkPageList(SectionInput in) {
        long size = in.getLong();
        if (size <= 0 || size > GuestMemory.MAX_RAM_BYTES || (size & (GuestMemory.PAGE_SIZE - 1)) != 0) {
            throw new StateFormatException("snapshot RAM size " + size + " is not a valid RAM size");
        }
        in.getLong();
        in.getInt();
        int pages = (int) (size >>> GuestMemory.PAGE_SHIFT);
        int next = 0;
        while (true) {
            int pageNumber = in.getInt();
            if (pageNumber == END_OF_PAGES) {
                break;
            }
            checkPageNumber(pageNumber, next, pages);
            checkPageLength(pageNumber, in.getInt());
            in.skipBytes(GuestMemory.PAGE_SIZE);
            next = pageNumber + 1;
        }
        if (in.remainingBytes() != 0) {
            throw new StateFormatException("snapshot RAM section has " + in.remainingBytes() + " bytes after its last page");
        }
    }

    private static void checkPageNumber(int pageNumber, int lowest, int pages) {
        if (pageNumber < lowest || pageNumber >= pages) {
            throw new StateFormatException("snapshot RAM page " + pageNumber + " is outside RAM or out of order");
        }
    }

    private static void checkPageLength(int pageNumber, int length) {
        if (length != GuestMemory.PAGE_SIZE) {
            throw new StateFormatException("snapshot RAM page " + pageNumber + " has " + length + " bytes");
        }
    }

    @Override
    public String sectionName() {
        return delta ? DELTA : FULL;
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /**
     * Takes the pages to save (the dirty ones for a delta, the non-zero ones for a full image),
     * resets the MIGRATION log and moves the chain on; {@link #save} then writes those pages. A save
     * without this step prepares itself.
     */
    @Override
    public long preparePayload() {
        if (delta && chain.baseId() == SnapshotChain.NONE) {
            throw new IllegalStateException("an incremental snapshot needs a full snapshot before it");
        }
        DirtySet dirty = memory.dirtyLog().takeAndClear(DirtyLog.Client.MIGRATION);
        if (delta) {
            savedChainId = chain.baseId();
            savedSequence = chain.sequence() + 1;
            chain.adopt(savedChainId, savedSequence);
            pagesToSave = dirty;
        } else {
            savedChainId = chain.startNew();
            savedSequence = 0;
            pagesToSave = nonZeroPages();
        }
        return HEADER_BYTES + pagesToSave.count() * PAGE_RECORD_BYTES + 4;
    }

    private DirtySet nonZeroPages() {
        UnsafeBuffer ram = memory.ram();
        int pages = (int) (memory.ramSize() >>> GuestMemory.PAGE_SHIFT);
        long[] bits = new long[(pages + 63) >>> 6];
        int count = 0;
        for (int p = 0; p < pages; p++) {
            if (!isZeroPage(ram, p << GuestMemory.PAGE_SHIFT)) {
                bits[p >>> 6] |= 1L << p;
                count++;
            }
        }
        return new DirtySet(bits, count);
    }

    /** Word-wise, eight words per test: a page with data usually fails on its first line. */
    private static boolean isZeroPage(UnsafeBuffer ram, int offset) {
        for (int at = offset, end = offset + GuestMemory.PAGE_SIZE; at < end; at += 64) {
            long any = ram.getLong(at) | ram.getLong(at + 8) | ram.getLong(at + 16) | ram.getLong(at + 24)
                    | ram.getLong(at + 32) | ram.getLong(at + 40) | ram.getLong(at + 48) | ram.getLong(at + 56);
            if (any != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void save(StateWriter out) {
        if (pagesToSave == null) {
            preparePayload();
        }
        DirtySet pages = pagesToSave;
        pagesToSave = null;
        out.putLong(memory.ramSize());
        out.putLong(savedChainId);
        out.putInt(savedSequence);
        if (out instanceof SnapshotOutput) {
            SnapshotOutput stream = (SnapshotOutput) out;
            UnsafeBuffer ram = memory.ram();
            pages.forEach(p -> {
                stream.putInt(p);
                stream.putInt(GuestMemory.PAGE_SIZE);
                stream.putRaw(ram, p << GuestMemory.PAGE_SHIFT, GuestMemory.PAGE_SIZE);
            });
        } else {
            pages.forEach(p -> {
                out.putInt(p);
                out.putBytes(pageCopy(p));
            });
        }
        out.putInt(END_OF_PAGES);
    }

    private byte[] pageCopy(int pageNumber) {
        if (page == null) {
            page = new byte[GuestMemory.PAGE_SIZE];
        }
        memory.ram().getBytes(pageNumber << GuestMemory.PAGE_SHIFT, page, 0, page.length);
        return page;
    }

    /**
     * Loads the pages. A full image also zeroes the pages it does not hold; every page that may have
     * changed is marked dirty, so that stale decoded blocks are dropped and replicas resend it.
     */
    @Override
    public void load(StateReader in, int version) {
        long size = in.getLong();
        if (size != memory.ramSize()) {
            throw new StateFormatException("snapshot RAM is " + size + " bytes, this machine has " + memory.ramSize());
        }
        long id = in.getLong();
        int sequence = in.getInt();
        if (delta) {
            chain.checkFollows(id, sequence);
        }
        chain.adopt(id, sequence);
        int pages = (int) (size >>> GuestMemory.PAGE_SHIFT);
        DirtyLog log = memory.dirtyLog();
        int next = 0;
        while (true) {
            int pageNumber = in.getInt();
            if (pageNumber == END_OF_PAGES) {
                break;
            }
            checkPageNumber(pageNumber, next, pages);
            if (!delta) {
                zeroPages(next, pageNumber);
            }
            loadPage(in, pageNumber);
            log.markPage(pageNumber);
            next = pageNumber + 1;
        }
        if (!delta) {
            zeroPages(next, pages);
        }
        // The restored RAM is the new baseline for deltas; CODE bits stay so stale blocks are dropped.
        log.takeAndClear(DirtyLog.Client.MIGRATION);
    }

    /** Zeroes the pages in [from, to) that are not zero yet: only those change, and only those are marked. */
    private void zeroPages(int from, int to) {
        UnsafeBuffer ram = memory.ram();
        for (int p = from; p < to; p++) {
            int address = p << GuestMemory.PAGE_SHIFT;
            if (!isZeroPage(ram, address)) {
                ram.setMemory(address, GuestMemory.PAGE_SIZE, (byte) 0);
                memory.dirtyLog().markPage(p);
            }
        }
    }

    private void loadPage(StateReader in, int pageNumber) {
        int address = pageNumber << GuestMemory.PAGE_SHIFT;
        if (in instanceof SectionInput) {
            SectionInput stream = (SectionInput) in;
            checkPageLength(pageNumber, stream.getInt());
            stream.copyTo(memory.ram(), address, GuestMemory.PAGE_SIZE);
        } else {
            byte[] bytes = in.getBytes();
            checkPageLength(pageNumber, bytes.length);
            memory.ram().putBytes(address, bytes);
        }
    }
}
