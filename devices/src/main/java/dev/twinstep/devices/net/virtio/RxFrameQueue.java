package dev.twinstep.devices.net.virtio;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetStats;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Frames from the back end's I/O threads waiting for the guest's receive buffers. Bounded: when it is
 * full, a new frame is dropped and counted, as a wire drops what a slow receiver cannot take. The first
 * frame queued after a drain asks the machine thread (through {@code post}) to run {@code drain}; the
 * machine thread then {@link #peek()}s and {@link #remove()}s frames as buffers allow.
 */
final class RxFrameQueue implements FrameSink {
    /** Largest frame accepted: a 64 KiB payload plus Ethernet and VLAN headers. */
    static final int MAX_FRAME = 65_536 + 18;

    private final ArrayBlockingQueue<byte[]> frames;
    private final AtomicBoolean drainPosted = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    private final Consumer<Runnable> post;
    private final Runnable drain;
    private final NetStats stats;

    /**
     * @param capacity how many frames may wait
     * @param post     hands a task to the machine thread (MachineEvents::post)
     * @param drain    the machine-thread task that moves frames into receive buffers
     * @param stats    the back end's counters, where drops are counted too (may be null)
     */
    RxFrameQueue(int capacity, Consumer<Runnable> post, Runnable drain, NetStats stats) {
        this.frames = new ArrayBlockingQueue<>(capacity);
        this.post = post;
        this.drain = () -> {
            drainPosted.set(false);
            drain.run();
        };
        this.stats = stats;
    }

    @Override
    public boolean offer(byte[] frame, int offset, int length) {
        if (length < 0 || length > MAX_FRAME || !frames.offer(java.util.Arrays.copyOfRange(frame, offset, offset + length))) {
            countDrop();
            return false;
        }
        if (drainPosted.compareAndSet(false, true)) {
            post.accept(drain);
        }
        return true;
    }

    /** The oldest waiting frame, or null. Machine thread. */
    byte[] peek() {
        return frames.peek();
    }

    /** Removes the frame {@link #peek()} returned. Machine thread. */
    void remove() {
        frames.poll();
    }

    /** Drops every waiting frame (device reset). */
    void clear() {
        frames.clear();
    }

    /** Frames dropped here or by the device (queue full, too large, no buffer big enough). */
    /** The frames waiting for the guest, oldest first (copies are not needed: frames are never mutated). */
    byte[][] snapshot() {
        return frames.toArray(new byte[0][]);
    }

    /**
     * Replaces the waiting frames with {@code saved} (a snapshot being loaded) and posts a drain so
     * they reach the guest as soon as it has buffers, as a drain posted before the save would have.
     */
    void replaceWith(byte[][] saved) {
        frames.clear();
        for (byte[] frame : saved) {
            frames.add(frame);
        }
        if (saved.length > 0 && drainPosted.compareAndSet(false, true)) {
            post.accept(drain);
        }
    }

    int capacity() {
        return frames.remainingCapacity() + frames.size();
    }

    long dropped() {
        return dropped.get();
    }

    void countDrop() {
        dropped.incrementAndGet();
        if (stats != null) {
            stats.framesDropped.incrementAndGet();
        }
    }
}
