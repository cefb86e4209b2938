package dev.twinstep.colo.net;

import dev.twinstep.devices.net.FrameSink;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.net.NetStats;
import java.io.IOException;

/**
 * The COLO secondary's guest NIC back end before failover: the cable is not plugged in yet. Frames
 * the guest transmits are counted and dropped, and nothing arrives. At failover
 * {@link #activate(NetBackend)} plugs in the real back end: it is attached to the NIC's sink,
 * started, and from then on receives every transmitted frame.
 *
 * <p>Threads: {@link #transmit} on the machine thread; {@link #activate} and {@link #close} on any
 * thread. The secondary's guest does not run before failover, but a transmit racing with activate
 * still goes to exactly one place: the standby's drop counter or the real back end.
 */
public final class StandbyBackend implements NetBackend {
    private final NetStats standbyStats = new NetStats();
    private final Object lifecycleLock = new Object();
    private volatile NetBackend active;

    /** Guarded by lifecycleLock. */
    private FrameSink sink;
    /** Guarded by lifecycleLock. */
    private boolean closed;

    @Override
    public void attach(FrameSink frameSink) {
        synchronized (lifecycleLock) {
            sink = frameSink;
        }
    }

    @Override
    public void start() {
        // No host resources until failover.
    }

    /**
     * Plugs in the real back end (any thread): attaches it to the sink given to {@link #attach},
     * starts it, and sends every later frame to it.
     *
     * @throws IOException if the real back end cannot start (it is then not used, and the caller
     *     still owns it and should close it)
     * @throws IllegalStateException if not attached yet, already activated, or closed
     */
    public void activate(NetBackend real) throws IOException {
        synchronized (lifecycleLock) {
            if (closed) {
                throw new IllegalStateException("the standby NIC back end is closed");
            }
            if (active != null) {
                throw new IllegalStateException("the standby NIC back end is already active");
            }
            if (sink == null) {
                throw new IllegalStateException("attach the standby NIC back end to its NIC before activating it");
            }
            real.attach(sink);
            real.start();
            active = real;
        }
    }

    /** @return true once {@link #activate} succeeded */
    public boolean isActive() {
        return active != null;
    }

    /** @return how many frames the guest transmitted before activation (all dropped) */
    public long framesDroppedInStandby() {
        return standbyStats.framesDropped.get();
    }

    @Override
    public void transmit(byte[] frame, int offset, int length) {
        NetBackend real = active;
        if (real != null) {
            real.transmit(frame, offset, length);
            return;
        }
        standbyStats.framesOut.incrementAndGet();
        standbyStats.bytesOut.addAndGet(length);
        standbyStats.framesDropped.incrementAndGet();
    }

    /**
     * The standby's own counters before activation, the real back end's after (the frames dropped
     * in standby stay available from {@link #framesDroppedInStandby()}).
     */
    @Override
    public NetStats stats() {
        NetBackend real = active;
        return real != null ? real.stats() : standbyStats;
    }

    /** Closes the real back end if one was activated; later activations are refused. */
    @Override
    public void close() {
        NetBackend real;
        synchronized (lifecycleLock) {
            closed = true;
            real = active;
        }
        if (real != null) {
            real.close();
        }
    }
}
