package dev.twinstep.core.machine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How host I/O threads hand work to the machine thread: they never touch machine state, they
 * {@link #post} a task, which the machine thread runs between CPU slices, and which also wakes it
 * from an idle HLT. Only I/O work goes through here (a byte arrived, a socket closed), never the
 * hot path.
 */
public final class MachineEvents {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean wakeRequested;
    private volatile int sources;
    private volatile Runnable cutSlice = () -> { };

    /** Queues {@code task} for the machine thread and wakes it. Any thread. */
    public void post(Runnable task) {
        tasks.add(task);
        cutSlice.run();
        wakeUp();
    }

    /**
     * Declares that a host input (a stdin reader, a socket) may post events later, so that a guest
     * halted with interrupts enabled and no timer armed waits for it instead of ending the run.
     */
    public void registerSource() {
        sources++;
    }

    /** Whether any host input source was registered. */
    public boolean hasSources() {
        return sources > 0;
    }

    /** Wakes the machine thread if it sleeps in {@link #awaitNanos}. Any thread. */
    public void wakeUp() {
        lock.lock();
        try {
            wakeRequested = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void setSliceCutter(Runnable cutter) {
        this.cutSlice = cutter;
    }

    /** Runs every queued task; machine thread. Returns how many ran. */
    int drain() {
        int ran = 0;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
            ran++;
        }
        return ran;
    }

    /**
     * Sleeps until a task is posted, {@link #wakeUp()} is called, or {@code nanos} pass
     * ({@link Long#MAX_VALUE}: no timeout). Returns at once if something is queued already.
     */
    void awaitNanos(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (!wakeRequested && tasks.isEmpty() && left > 0) {
                if (nanos == Long.MAX_VALUE) {
                    wake.await();
                } else {
                    left = wake.awaitNanos(left);
                }
            }
            wakeRequested = false;
        } finally {
            lock.unlock();
        }
    }
}
