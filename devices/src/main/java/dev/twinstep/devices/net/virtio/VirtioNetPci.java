package dev.twinstep.devices.net.virtio;

import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.devices.state.StateChecks;
import dev.twinstep.devices.net.NetBackend;
import dev.twinstep.devices.pci.PciFunction;
import java.util.function.Consumer;

/**
 * virtio-net as a legacy (virtio 0.9.5) PCI function: 1AF4:1000, subsystem 1AF4:0001, class 02/00,
 * INTA#, and I/O BAR0 with the legacy register block followed by the device configuration (MAC, link
 * status). Features offered: VIRTIO_NET_F_MAC and VIRTIO_NET_F_STATUS, no offloads, no mergeable
 * buffers, so every buffer starts with a 10-byte virtio_net_hdr. Queue 0 receives, queue 1 transmits.
 *
 * <p>The device touches guest RAM only while bus mastering is enabled. As in QEMU, a legacy driver that
 * sets DRIVER_OK without enabling it (Linux before 2.6.34 did so) gets it enabled for it.
 *
 * <p>A driver mistake in the rings never stops the machine: the queue is marked broken, the status
 * register shows DEVICE_NEEDS_RESET, the error is counted, and the device waits for a reset (status 0).
 * Machine thread only, except the receive queue's {@code offer} which back end I/O threads call.
 */
public final class VirtioNetPci extends PciFunction implements Stateful {
    /** Where SeaBIOS puts the first virtio-net's BAR0 under QEMU's {@code pc} machine. */
    public static final int DEFAULT_IO_BASE = 0xC000;
    /** QEMU's default MAC for the first NIC. */
    public static final byte[] DEFAULT_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    /** Virtqueue size, as QEMU's virtio-net uses. */
    public static final int QUEUE_SIZE = 256;
    /** Frames that may wait for receive buffers. */
    public static final int RX_BACKLOG = 256;

    static final int FEATURE_MAC = 1 << 5;
    static final int FEATURE_STATUS = 1 << 16;
    static final int HOST_FEATURES = FEATURE_MAC | FEATURE_STATUS;
    static final int NET_HDR_SIZE = 10;
    static final int STATUS_DRIVER_OK = 4;
    static final int STATUS_NEEDS_RESET = 0x40;
    static final int LINK_UP = 1;

    static final int REG_HOST_FEATURES = 0x00;
    static final int REG_GUEST_FEATURES = 0x04;
    static final int REG_QUEUE_PFN = 0x08;
    static final int REG_QUEUE_SIZE = 0x0C;
    static final int REG_QUEUE_SELECT = 0x0E;
    static final int REG_QUEUE_NOTIFY = 0x10;
    static final int REG_STATUS = 0x12;
    static final int REG_ISR = 0x13;
    static final int REG_CONFIG = 0x14;
    static final int BAR_SIZE = 32;

    static final int RX_QUEUE = 0;
    static final int TX_QUEUE = 1;

    private final NetBackend backend;
    private final byte[] mac;
    private final byte[] powerOnMac;
    private final RxFrameQueue rxFrames;
    private final byte[] txBuffer = new byte[NET_HDR_SIZE + RxFrameQueue.MAX_FRAME];
    private final byte[] rxHeader = new byte[NET_HDR_SIZE];
    private SplitVirtqueue[] queues;
    private GuestMemory memory;

    private int guestFeatures;
    private int queueSelect;
    private int status;
    private int isr;
    private long ringErrors;
    private long txDropped;

    /**
     * @param backend where transmitted frames go; its receive side is attached to this device here
     * @param mac     the six-byte MAC shown in the device configuration
     * @param ioBase  the I/O address BAR0 starts at (as firmware would assign it)
     * @param post    hands a task to the machine thread (MachineEvents::post), for received frames
     */
    public VirtioNetPci(NetBackend backend, byte[] mac, int ioBase, Consumer<Runnable> post) {
        super(0x1AF4, 0x1000, 0x00, 0x020000, 0x1AF4, 0x0001,
                COMMAND_IO | COMMAND_MEMORY | COMMAND_SERR, 1);
        if (mac.length != 6) {
            throw new IllegalArgumentException("a MAC has 6 bytes");
        }
        this.backend = backend;
        this.mac = mac.clone();
        this.powerOnMac = mac.clone();
        defineIoBar(0, BAR_SIZE, ioBase);
        this.rxFrames = new RxFrameQueue(RX_BACKLOG, post, this::deliverReceived, backend.stats());
        backend.attach(rxFrames);
    }

    @Override
    protected void attach(GuestMemory memory) {
        this.memory = memory;
        queues = new SplitVirtqueue[] {new SplitVirtqueue(memory, QUEUE_SIZE), new SplitVirtqueue(memory, QUEUE_SIZE)};
    }

    @Override
    protected void reset() {
        super.reset();
        System.arraycopy(powerOnMac, 0, mac, 0, mac.length); // a driver's MAC write lasts until power-off
        if (queues != null) {
            resetDevice();
        }
    }

    private void resetDevice() {
        guestFeatures = 0;
        queueSelect = 0;
        status = 0;
        isr = 0;
        setIntx(false);
        for (SplitVirtqueue queue : queues) {
            queue.reset();
        }
        rxFrames.clear();
    }

    /** Ring errors seen since power-on (each one also set DEVICE_NEEDS_RESET). */
    public long ringErrors() {
        return ringErrors;
    }

    /** Frames the guest sent that were dropped (too short for the header, too long, written by device). */
    public long txDropped() {
        return txDropped;
    }

    /** Received frames dropped (backlog full, no buffer large enough). */
    public long rxDropped() {
        return rxFrames.dropped();
    }

    @Override
    protected int ioRead(int bar, int offset, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= registerByte(offset + i) << (8 * i);
        }
        return value;
    }

    private int registerByte(int offset) {
        if (offset < REG_GUEST_FEATURES) {
            return HOST_FEATURES >>> (8 * offset) & 0xFF;
        } else if (offset < REG_QUEUE_PFN) {
            return guestFeatures >>> (8 * (offset - REG_GUEST_FEATURES)) & 0xFF;
        } else if (offset < REG_QUEUE_SIZE) {
            SplitVirtqueue queue = selectedQueue();
            return queue == null ? 0 : queue.pfn() >>> (8 * (offset - REG_QUEUE_PFN)) & 0xFF;
        } else if (offset < REG_QUEUE_SELECT) {
            SplitVirtqueue queue = selectedQueue();
            return queue == null ? 0 : queue.size() >>> (8 * (offset - REG_QUEUE_SIZE)) & 0xFF;
        } else if (offset < REG_QUEUE_NOTIFY) {
            return queueSelect >>> (8 * (offset - REG_QUEUE_SELECT)) & 0xFF;
        } else if (offset < REG_STATUS) {
            return 0;
        } else if (offset == REG_STATUS) {
            return status;
        } else if (offset == REG_ISR) {
            // Reading the ISR acknowledges the interrupt: it clears and the INTx line drops.
            int value = isr;
            isr = 0;
            setIntx(false);
            return value;
        } else if (offset < REG_CONFIG + 6) {
            return mac[offset - REG_CONFIG] & 0xFF;
        } else if (offset < REG_CONFIG + 8) {
            return LINK_UP >>> (8 * (offset - REG_CONFIG - 6)) & 0xFF;
        }
        return 0;
    }

    @Override
    protected void ioWrite(int bar, int offset, int size, int value) {
        switch (offset) {
            case REG_GUEST_FEATURES:
                guestFeatures = value & HOST_FEATURES;
                break;
            case REG_QUEUE_PFN:
                SplitVirtqueue queue = selectedQueue();
                if (queue != null) {
                    queue.setPfn(value);
                    checkBroken(queue);
                }
                break;
            case REG_QUEUE_SELECT:
                queueSelect = value & 0xFFFF;
                break;
            case REG_QUEUE_NOTIFY:
                notifyQueue(value & 0xFFFF);
                break;
            case REG_STATUS:
                if ((value & 0xFF) == 0) {
                    resetDevice();
                } else {
                    status = value & 0xFF | (status & STATUS_NEEDS_RESET);
                    if ((status & STATUS_DRIVER_OK) != 0) {
                        enableBusMaster();
                        deliverReceived();
                    }
                }
                break;
            default:
                if (offset >= REG_CONFIG && offset < REG_CONFIG + 6) {
                    // Legacy drivers may write the MAC; QEMU accepts it, and so do we.
                    for (int i = 0; i < size && offset + i < REG_CONFIG + 6; i++) {
                        mac[offset + i - REG_CONFIG] = (byte) (value >>> (8 * i));
                    }
                }
                break;
        }
    }

    private SplitVirtqueue selectedQueue() {
        return queueSelect < queues.length ? queues[queueSelect] : null;
    }

    private void notifyQueue(int index) {
        if (index == TX_QUEUE) {
            transmitAvailable();
        } else if (index == RX_QUEUE) {
            deliverReceived();
        }
    }

    /** Sends every frame the driver queued on the transmit queue. */
    private void transmitAvailable() {
        SplitVirtqueue tx = queues[TX_QUEUE];
        if (!busMasterEnabled()) {
            return; // the kick is remembered in the ring: the next one after enabling DMA sends it
        }
        boolean used = false;
        int result;
        while ((result = tx.pop()) == SplitVirtqueue.CHAIN) {
            int length = gatherChain(tx);
            if (length >= NET_HDR_SIZE) {
                backend.transmit(txBuffer, NET_HDR_SIZE, length - NET_HDR_SIZE);
            } else {
                txDropped++;
            }
            tx.pushUsed(tx.chainHead(), 0);
            used = true;
        }
        if (result == SplitVirtqueue.MALFORMED) {
            checkBroken(tx);
        }
        if (used && !tx.interruptSuppressed()) {
            raiseUsedInterrupt();
        }
    }

    /** Copies the readable part of the popped chain into {@code txBuffer}; -1 if it cannot be a frame. */
    private int gatherChain(SplitVirtqueue tx) {
        int length = 0;
        for (int i = 0; i < tx.chainCount(); i++) {
            int len = tx.chainLen(i);
            if (tx.chainWritable(i) || len > txBuffer.length - length) {
                return -1; // a transmit buffer is read-only, and frames have a size limit
            }
            memory.readBytes(tx.chainAddr(i), txBuffer, length, len);
            length += len;
        }
        return length;
    }

    /** Moves waiting frames into the driver's receive buffers while both last. Machine thread. */
    private void deliverReceived() {
        SplitVirtqueue rx = queues[RX_QUEUE];
        if ((status & STATUS_DRIVER_OK) == 0 || !rx.isLive() || !busMasterEnabled()) {
            return;
        }
        boolean used = false;
        byte[] frame;
        while ((frame = rxFrames.peek()) != null) {
            int result = rx.pop();
            if (result == SplitVirtqueue.MALFORMED) {
                checkBroken(rx);
                break;
            }
            if (result == SplitVirtqueue.EMPTY) {
                break; // the frame waits for the driver to add buffers and kick queue 0
            }
            int written = scatterFrame(rx, frame);
            rxFrames.remove();
            if (written < 0) {
                rx.unpop();
                rxFrames.countDrop();
                continue;
            }
            rx.pushUsed(rx.chainHead(), written);
            used = true;
        }
        if (used && !rx.interruptSuppressed()) {
            raiseUsedInterrupt();
        }
    }

    /** Writes header and frame across the chain's writable buffers; -1 (nothing written) if they are too small. */
    private int scatterFrame(SplitVirtqueue rx, byte[] frame) {
        long capacity = 0;
        for (int i = 0; i < rx.chainCount(); i++) {
            if (!rx.chainWritable(i)) {
                return -1;
            }
            capacity += rx.chainLen(i);
        }
        int total = NET_HDR_SIZE + frame.length;
        if (capacity < total) {
            return -1;
        }
        int done = 0;
        for (int i = 0; i < rx.chainCount() && done < total; i++) {
            int room = rx.chainLen(i);
            long addr = rx.chainAddr(i);
            if (done < NET_HDR_SIZE) {
                int n = Math.min(room, NET_HDR_SIZE - done);
                memory.writeBytes(addr, rxHeader, done, n);
                done += n;
                room -= n;
                addr += n;
            }
            int n = Math.min(room, total - done);
            if (n > 0) {
                memory.writeBytes(addr, frame, done - NET_HDR_SIZE, n);
                done += n;
            }
        }
        return total;
    }

    private void raiseUsedInterrupt() {
        isr |= 1;
        setIntx(true);
    }

    /** The first (and today only) NIC's section; its PCI configuration space is in the "pci" section. */
    @Override
    public String sectionName() {
        return "virtio-net.0";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /**
     * Saves the negotiated features, status, ISR, MAC, both queues' PFNs and ring indices, and the
     * received frames still waiting for guest buffers. The back end (a host socket or TAP) is not
     * saved. Only after {@link #attach}: the queues exist once the NIC is in guest memory.
     */
    @Override
    public void save(StateWriter out) {
        out.putInt(guestFeatures);
        out.putInt(queueSelect);
        out.putByte(status);
        out.putByte(isr);
        out.putBytes(mac);
        for (SplitVirtqueue queue : queues) {
            queue.save(out);
        }
        byte[][] waiting = rxFrames.snapshot();
        out.putInt(waiting.length);
        for (byte[] frame : waiting) {
            out.putBytes(frame);
        }
    }

    /**
     * Restores this NIC alone. The INTx level is part of the "pci" section, so loading never drives
     * the interrupt pin; the ISR is restored to match it.
     */
    @Override
    public void load(StateReader in, int version) {
        String section = sectionName();
        int features = in.getInt();
        if ((features & ~HOST_FEATURES) != 0) {
            throw new StateFormatException(section + ": guest features " + Integer.toHexString(features)
                    + " were never offered");
        }
        int select = StateChecks.bits(section, "queue select", in.getInt(), 16);
        int savedStatus = in.getByte();
        int savedIsr = StateChecks.bits(section, "ISR", in.getByte(), 2);
        byte[] savedMac = StateChecks.length(section, "MAC", in.getBytes(), mac.length);
        guestFeatures = features;
        queueSelect = select;
        status = savedStatus;
        isr = savedIsr;
        System.arraycopy(savedMac, 0, mac, 0, mac.length);
        for (int q = 0; q < queues.length; q++) {
            queues[q].load(in, section + " queue " + q);
        }
        int count = StateChecks.inRange(section, "waiting frames", in.getInt(), 0, rxFrames.capacity());
        byte[][] waiting = new byte[count][];
        for (int i = 0; i < count; i++) {
            waiting[i] = in.getBytes();
            StateChecks.inRange(section, "waiting frame length", waiting[i].length, 0, RxFrameQueue.MAX_FRAME);
        }
        rxFrames.replaceWith(waiting);
    }

    private void checkBroken(SplitVirtqueue queue) {
        if (queue.isBroken()) {
            ringErrors++;
            status |= STATUS_NEEDS_RESET;
        }
    }
}
