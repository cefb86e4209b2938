package dev.twinstep.devices.net.backend;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Frames from the guest waiting for a back end's writer thread. The machine thread copies a frame
 * into a recycled slot and never blocks; when every slot is in use the frame is refused and the
 * caller counts it as dropped, as a NIC does when the wire is slower than the guest.
 *
 * <p>Slots start at {@link #INITIAL_SLOT_BYTES} and grow only for a larger frame, so steady traffic
 * allocates nothing.
 */
public final class TransmitQueue {
    /** Room for a full Ethernet frame with a VLAN tag. */
    public static final int INITIAL_SLOT_BYTES = 2048;

    /** One queued frame: a reusable buffer and how much of it holds the frame. */
    public static final class Slot {
        private byte[] bytes = new byte[INITIAL_SLOT_BYTES];
        private int length;

        /** @return the buffer; the frame is its first {@link #length()} bytes */
        public byte[] bytes() {
            return bytes;
        }

        /** @return the frame's length in bytes */
        public int length() {
            return length;
        }

        void fill(byte[] frame, int offset, int frameLength) {
            if (bytes.length < frameLength) {
                bytes = new byte[frameLength];
            }
            System.arraycopy(frame, offset, bytes, 0, frameLength);
            length = frameLength;
        }
    }

    private final ArrayBlockingQueue<Slot> free;
    private final ArrayBlockingQueue<Slot> ready;

    /** @param capacity how many frames may wait before new ones are dropped */
    public TransmitQueue(int capacity) {
        free = new ArrayBlockingQueue<>(capacity);
        ready = new ArrayBlockingQueue<>(capacity);
        for (int i = 0; i < capacity; i++) {
            free.add(new Slot());
        }
    }

    /** Copies a frame in; never blocks. @return false if the queue is full and the frame was not taken */
    public boolean offer(byte[] frame, int offset, int length) {
        Slot slot = free.poll();
        if (slot == null) {
            return false;
        }
        slot.fill(frame, offset, length);
        ready.add(slot);
        return true;
    }

    /** Waits up to the given time for the next frame. @return the slot, or null on timeout */
    public Slot poll(long timeout, TimeUnit unit) throws InterruptedException {
        return ready.poll(timeout, unit);
    }

    /** Gives a slot back once its frame has been written (or dropped). */
    public void recycle(Slot slot) {
        free.add(slot);
    }

    /** Drops every waiting frame. @return how many were dropped */
    public int clear() {
        int dropped = 0;
        for (Slot slot = ready.poll(); slot != null; slot = ready.poll()) {
            free.add(slot);
            dropped++;
        }
        return dropped;
    }
}
