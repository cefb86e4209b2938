package dev.twinstep.devices.net.virtio;

import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.devices.state.StateChecks;

/**
 * One legacy split virtqueue in guest RAM at {@code PFN * 4096}: the descriptor table, then the
 * available ring, then the used ring at the next 4096-byte boundary. The device side: pop a
 * descriptor chain the driver made available, push it to the used ring when done.
 *
 * <p>Every access goes through {@link GuestMemory#readBytes}/{@link GuestMemory#writeBytes}, so the
 * used-ring and buffer writes mark their pages dirty. Anything the driver got wrong (an index too far
 * ahead, a descriptor number past the table, a chain that loops or is longer than the table, a buffer
 * or ring outside RAM, an indirect descriptor that was never negotiated) makes the queue
 * {@link #isBroken() broken}: it is left alone until the driver resets the device. Machine thread only;
 * allocates nothing after construction.
 */
final class SplitVirtqueue {
    static final int DESC_F_NEXT = 1;
    static final int DESC_F_WRITE = 2;
    static final int DESC_F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    static final int ALIGN = 4096;

    /** {@link #pop()} result: a chain is in {@link #chainCount()} etc. */
    static final int CHAIN = 0;
    /** {@link #pop()} result: nothing available. */
    static final int EMPTY = 1;
    /** {@link #pop()} result: the rings are malformed; the queue is now broken. */
    static final int MALFORMED = 2;

    private final GuestMemory memory;
    private final int size;
    private final byte[] scratch = new byte[16];
    private final long[] chainAddr;
    private final int[] chainLen;
    private final boolean[] chainWritable;
    private int chainCount;
    private int chainHead;

    private int pfn;
    private long descTable;
    private long availRing;
    private long usedRing;
    private int lastAvail;
    private int usedIndex;
    private boolean broken;
    private String brokenReason;

    SplitVirtqueue(GuestMemory memory, int size) {
        this.memory = memory;
        this.size = size;
        this.chainAddr = new long[size];
        this.chainLen = new int[size];
        this.chainWritable = new boolean[size];
    }

    int size() {
        return size;
    }

    int pfn() {
        return pfn;
    }

    /** The driver wrote the queue address register; 0 releases the queue. */
    void setPfn(int newPfn) {
        reset();
        pfn = newPfn;
        if (newPfn == 0) {
            return;
        }
        descTable = (newPfn & 0xFFFF_FFFFL) * ALIGN;
        availRing = descTable + 16L * size;
        long availEnd = availRing + 6 + 2L * size;
        usedRing = (availEnd + ALIGN - 1) & -ALIGN;
        long usedEnd = usedRing + 6 + 8L * size;
        if (!isRam(descTable, usedEnd - descTable)) {
            markBroken("rings outside RAM at PFN 0x" + Integer.toHexString(newPfn));
        }
    }

    /** Forgets the rings and indices, as a device reset does. */
    void reset() {
        pfn = 0;
        lastAvail = 0;
        usedIndex = 0;
        chainCount = 0;
        broken = false;
        brokenReason = null;
    }

    /** Whether the driver has set up the queue and it is not broken. */
    boolean isLive() {
        return pfn != 0 && !broken;
    }

    boolean isBroken() {
        return broken;
    }

    String brokenReason() {
        return brokenReason;
    }

    /** Pops the next available chain into the chain arrays; see {@link #CHAIN}, {@link #EMPTY}, {@link #MALFORMED}. */
    int pop() {
        if (!isLive()) {
            return EMPTY;
        }
        int availIdx = read16(availRing + 2);
        int pending = (availIdx - lastAvail) & 0xFFFF;
        if (pending == 0) {
            return EMPTY;
        }
        if (pending > size) {
            markBroken("available index " + availIdx + " runs " + pending + " ahead of a ring of " + size);
            return MALFORMED;
        }
        int head = read16(availRing + 4 + 2L * (lastAvail % size));
        if (head >= size) {
            markBroken("available ring names descriptor " + head + " of " + size);
            return MALFORMED;
        }
        chainHead = head;
        chainCount = 0;
        int index = head;
        while (true) {
            if (chainCount == size) {
                markBroken("descriptor chain from " + head + " loops or is longer than the table");
                return MALFORMED;
            }
            memory.readBytes(descTable + 16L * index, scratch, 0, 16);
            long addr = le32(0) & 0xFFFF_FFFFL | (le32(4) & 0xFFFF_FFFFL) << 32;
            int len = le32(8);
            int flags = le16(12);
            int next = le16(14);
            if ((flags & DESC_F_INDIRECT) != 0) {
                markBroken("indirect descriptor " + index + " without VIRTIO_RING_F_INDIRECT_DESC");
                return MALFORMED;
            }
            if (len < 0 || !isRam(addr, len)) {
                markBroken("descriptor " + index + " buffer 0x" + Long.toHexString(addr) + "+" + (len & 0xFFFF_FFFFL)
                        + " is not in RAM");
                return MALFORMED;
            }
            chainAddr[chainCount] = addr;
            chainLen[chainCount] = len;
            chainWritable[chainCount] = (flags & DESC_F_WRITE) != 0;
            chainCount++;
            if ((flags & DESC_F_NEXT) == 0) {
                break;
            }
            if (next >= size) {
                markBroken("descriptor " + index + " chains to " + next + " of " + size);
                return MALFORMED;
            }
            index = next;
        }
        lastAvail = (lastAvail + 1) & 0xFFFF;
        return CHAIN;
    }

    /** Gives the last popped chain back, unused, so the next {@link #pop()} returns it again. */
    void unpop() {
        lastAvail = (lastAvail - 1) & 0xFFFF;
    }

    int chainHead() {
        return chainHead;
    }

    int chainCount() {
        return chainCount;
    }

    long chainAddr(int i) {
        return chainAddr[i];
    }

    int chainLen(int i) {
        return chainLen[i];
    }

    boolean chainWritable(int i) {
        return chainWritable[i];
    }

    /** Returns chain {@code head} to the driver with {@code written} bytes written into it. */
    void pushUsed(int head, int written) {
        long entry = usedRing + 4 + 8L * (usedIndex % size);
        putLe32(0, head);
        putLe32(4, written);
        memory.writeBytes(entry, scratch, 0, 8);
        usedIndex = (usedIndex + 1) & 0xFFFF;
        // The index is published after the entry, so a driver never sees an entry it cannot read yet.
        putLe16(0, usedIndex);
        memory.writeBytes(usedRing + 2, scratch, 0, 2);
    }

    /**
     * Writes the queue address and the device's ring indices; the rings themselves are in guest RAM.
     * A popped chain is never pending at a save: chains are consumed within one notification.
     */
    void save(StateWriter out) {
        out.putInt(pfn);
        out.putInt(lastAvail);
        out.putInt(usedIndex);
        out.putBoolean(broken);
        out.putString(brokenReason == null ? "" : brokenReason);
    }

    /** Restores what {@link #save} wrote, recomputing the ring addresses from the PFN. */
    void load(StateReader in, String section) {
        int savedPfn = in.getInt();
        int savedLastAvail = StateChecks.bits(section, "last available index", in.getInt(), 16);
        int savedUsedIndex = StateChecks.bits(section, "used index", in.getInt(), 16);
        boolean savedBroken = in.getBoolean();
        String reason = in.getString();
        setPfn(savedPfn);
        lastAvail = savedLastAvail;
        usedIndex = savedUsedIndex;
        broken = savedBroken || broken;
        brokenReason = savedBroken ? reason : brokenReason;
    }

    /** Whether the driver asked not to be interrupted for used buffers (VRING_AVAIL_F_NO_INTERRUPT). */
    boolean interruptSuppressed() {
        return (read16(availRing) & AVAIL_F_NO_INTERRUPT) != 0;
    }

    private void markBroken(String reason) {
        broken = true;
        brokenReason = reason;
    }

    private boolean isRam(long addr, long length) {
        if (addr < 0 || addr + length > 0x1_0000_0000L) {
            return false;
        }
        if (length == 0) {
            return true;
        }
        int first = (int) (addr >>> GuestMemory.PAGE_SHIFT);
        int last = (int) ((addr + length - 1) >>> GuestMemory.PAGE_SHIFT);
        for (int page = first; page <= last; page++) {
            if (!memory.isRamPage(page)) {
                return false;
            }
        }
        return true;
    }

    private int read16(long addr) {
        memory.readBytes(addr, scratch, 0, 2);
        return le16(0);
    }

    private int le16(int at) {
        return (scratch[at] & 0xFF) | (scratch[at + 1] & 0xFF) << 8;
    }

    private int le32(int at) {
        return le16(at) | le16(at + 2) << 16;
    }

    private void putLe16(int at, int v) {
        scratch[at] = (byte) v;
        scratch[at + 1] = (byte) (v >>> 8);
    }

    private void putLe32(int at, int v) {
        putLe16(at, v);
        putLe16(at + 2, v >>> 16);
    }
}
