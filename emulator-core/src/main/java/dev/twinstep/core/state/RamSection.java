package dev.twinstep.core.state;

import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.GuestMemory;

/**
 * Guest RAM in a snapshot: section "ram" holds every non-zero page (a full image), section
 * "ram.delta" only the pages written since the previous snapshot of either kind (the MIGRATION
 * client of the dirty log). Restoring a full snapshot and then its deltas in order gives the RAM of
 * the last delta. Both kinds reset the MIGRATION log, so the next delta starts from this moment.
 */
public final class RamSection implements Stateful {
    /** Section name of a full RAM image. */
    public static final String FULL = "ram";
    /** Section name of the pages dirty since the previous snapshot. */
    public static final String DELTA = "ram.delta";
    private static final int END_OF_PAGES = -1;

    private final GuestMemory memory;
    private final SnapshotChain chain;
    private final boolean delta;
    private final byte[] page = new byte[GuestMemory.PAGE_SIZE];

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

    @Override
    public String sectionName() {
        return delta ? DELTA : FULL;
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    @Override
    public void save(StateWriter out) {
        if (delta && chain.baseId() == SnapshotChain.NONE) {
            throw new IllegalStateException("an incremental snapshot needs a full snapshot before it");
        }
        out.putLong(memory.ramSize());
        if (delta) {
            out.putLong(chain.baseId());
            out.putInt(chain.sequence() + 1);
            chain.adopt(chain.baseId(), chain.sequence() + 1);
        } else {
            out.putLong(chain.startNew());
            out.putInt(0);
        }
        int pages = (int) (memory.ramSize() >>> GuestMemory.PAGE_SHIFT);
        if (delta) {
            memory.dirtyLog().takeAndClear(DirtyLog.Client.MIGRATION).forEach(p -> savePage(out, p, true));
        } else {
            memory.dirtyLog().takeAndClear(DirtyLog.Client.MIGRATION);
            for (int p = 0; p < pages; p++) {
                savePage(out, p, false);
            }
        }
        out.putInt(END_OF_PAGES);
    }

    private void savePage(StateWriter out, int pageNumber, boolean evenIfZero) {
        memory.ram().getBytes(pageNumber << GuestMemory.PAGE_SHIFT, page, 0, page.length);
        if (!evenIfZero && isZero(page)) {
            return;
        }
        out.putInt(pageNumber);
        out.putBytes(page);
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

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
        if (!delta) {
            memory.ram().setMemory(0, (int) size, (byte) 0);
        }
        int pages = (int) (size >>> GuestMemory.PAGE_SHIFT);
        DirtyLog log = memory.dirtyLog();
        while (true) {
            int pageNumber = in.getInt();
            if (pageNumber == END_OF_PAGES) {
                break;
            }
            if (pageNumber < 0 || pageNumber >= pages) {
                throw new StateFormatException("snapshot RAM page " + pageNumber + " is outside RAM");
            }
            if (in instanceof SectionInput) {
                ((SectionInput) in).getBytesInto(page);
            } else {
                byte[] bytes = in.getBytes();
                if (bytes.length != page.length) {
                    throw new StateFormatException("snapshot RAM page " + pageNumber + " has " + bytes.length + " bytes");
                }
                System.arraycopy(bytes, 0, page, 0, page.length);
            }
            memory.ram().putBytes(pageNumber << GuestMemory.PAGE_SHIFT, page, 0, page.length);
            log.markPage(pageNumber);
        }
        // The restored RAM is the new baseline for deltas; CODE bits stay so stale blocks are dropped.
        log.takeAndClear(DirtyLog.Client.MIGRATION);
    }
}
