package dev.twinstep.devices.net.virtio;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;

/**
 * What a guest's legacy virtio-net driver does, written against the I/O bus and guest RAM only: find
 * BAR0, negotiate, place the two rings, add buffers, kick, read the used ring.
 */
final class LegacyVirtioDriver {
    static final int SIZE = VirtioNetPci.QUEUE_SIZE;
    static final int RX_RING = 0x10000;
    static final int TX_RING = 0x20000;

    private final IoBus io;
    private final GuestMemory memory;
    final int iobase;
    private final int slot;
    private final int[] availIdx = new int[2];
    private final int[] usedSeen = new int[2];

    LegacyVirtioDriver(IoBus io, GuestMemory memory, int slot) {
        this.io = io;
        this.memory = memory;
        this.slot = slot;
        io.write(0xCF8, 4, 0x8000_0000 | slot << 11 | 0x10);
        this.iobase = io.read(0xCFC, 4) & ~3;
    }

    /** Sets the command register's bus-master bit, as pci_set_master does. */
    void enableBusMaster() {
        io.write(0xCF8, 4, 0x8000_0000 | slot << 11 | 0x04);
        io.write(0xCFC, 2, io.read(0xCFC, 2) | 0x4);
    }

    int reg(int offset, int size) {
        return io.read(iobase + offset, size);
    }

    void writeReg(int offset, int size, int value) {
        io.write(iobase + offset, size, value);
    }

    /** Acknowledge, negotiate the MAC feature, place both rings, DRIVER_OK. */
    void initialise() {
        enableBusMaster();
        writeReg(0x12, 1, 0);
        writeReg(0x12, 1, 1 | 2);
        writeReg(0x04, 4, reg(0x00, 4) & VirtioNetPci.FEATURE_MAC);
        setupQueue(0, RX_RING);
        setupQueue(1, TX_RING);
        writeReg(0x12, 1, 1 | 2 | 4);
    }

    void setupQueue(int queue, int base) {
        writeReg(0x0E, 2, queue);
        memory.fill(base, 3 * 4096, (byte) 0);
        writeReg(0x08, 4, base >>> 12);
        availIdx[queue] = 0;
        usedSeen[queue] = 0;
    }

    static int ringBase(int queue) {
        return queue == 0 ? RX_RING : TX_RING;
    }

    static int usedRing(int queue) {
        return ringBase(queue) + 8192;
    }

    void writeDescriptor(int queue, int index, long addr, int len, int flags, int next) {
        int d = ringBase(queue) + 16 * index;
        memory.write32(d, (int) addr);
        memory.write32(d + 4, (int) (addr >>> 32));
        memory.write32(d + 8, len);
        memory.write16(d + 12, flags);
        memory.write16(d + 14, next);
    }

    /** Puts descriptor {@code head} in the available ring and publishes it. */
    void makeAvailable(int queue, int head) {
        int avail = ringBase(queue) + 16 * SIZE;
        memory.write16(avail + 4 + 2 * (availIdx[queue] % SIZE), head);
        availIdx[queue] = (availIdx[queue] + 1) & 0xFFFF;
        memory.write16(avail + 2, availIdx[queue]);
    }

    void setAvailIndex(int queue, int index) {
        memory.write16(ringBase(queue) + 16 * SIZE + 2, index);
    }

    void suppressInterrupts(int queue, boolean suppress) {
        memory.write16(ringBase(queue) + 16 * SIZE, suppress ? 1 : 0);
    }

    void kick(int queue) {
        writeReg(0x10, 2, queue);
    }

    int usedIndex(int queue) {
        return memory.read16(usedRing(queue) + 2);
    }

    int usedId(int queue, int slot) {
        return memory.read32(usedRing(queue) + 4 + 8 * slot);
    }

    int usedLen(int queue, int slot) {
        return memory.read32(usedRing(queue) + 8 + 8 * slot);
    }

    int status() {
        return reg(0x12, 1);
    }

    int readIsr() {
        return reg(0x13, 1);
    }

    /** Sends {@code frame} behind a zero header, header and frame in two chained descriptors. */
    void send(int firstDescriptor, int bufferAddr, byte[] frame) {
        memory.fill(bufferAddr, 10, (byte) 0);
        memory.writeBytes(bufferAddr + 16, frame, 0, frame.length);
        writeDescriptor(1, firstDescriptor, bufferAddr, 10, SplitVirtqueue.DESC_F_NEXT, firstDescriptor + 1);
        writeDescriptor(1, firstDescriptor + 1, bufferAddr + 16, frame.length, 0, 0);
        makeAvailable(1, firstDescriptor);
        kick(1);
    }

    /** Offers one writable receive buffer of {@code length} bytes as descriptor {@code index}. */
    void addReceiveBuffer(int index, int bufferAddr, int length) {
        writeDescriptor(0, index, bufferAddr, length, SplitVirtqueue.DESC_F_WRITE, 0);
        makeAvailable(0, index);
    }
}
