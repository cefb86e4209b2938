/*
 * Legacy (virtio 0.9.5) virtio-net over PCI: I/O BAR0 registers, split virtqueues in guest RAM,
 * INTx through the 8259A. Receive is interrupt driven; transmit completions are reaped by polling,
 * so the TX queue asks the device for no interrupts at all (VRING_AVAIL_F_NO_INTERRUPT).
 */
#include "kvstore.h"

#define PCI_ADDR 0xCF8
#define PCI_DATA 0xCFC
#define VIRTIO_VENDOR 0x1AF4
#define VIRTIO_NET_LEGACY 0x1000

/* Legacy virtio header in BAR0 (no MSI-X, so device config follows at 0x14). */
#define VIO_HOST_FEATURES 0x00
#define VIO_GUEST_FEATURES 0x04
#define VIO_QUEUE_PFN 0x08
#define VIO_QUEUE_SIZE 0x0C
#define VIO_QUEUE_SELECT 0x0E
#define VIO_QUEUE_NOTIFY 0x10
#define VIO_STATUS 0x12
#define VIO_ISR 0x13
#define VIO_CONFIG 0x14

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FAILED 0x80
#define NET_F_MAC (1u << 5)

#define VRING_DESC_F_WRITE 2
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

#define RX_QUEUE 0
#define TX_QUEUE 1
#define NET_HDR_LEN 10u /* struct virtio_net_hdr without mergeable buffers */
#define BUF_SIZE 2048u
#define RX_BUFFERS 32u
#define TX_BUFFERS 32u
#define RING_BYTES (5u * 4096u) /* fits a legacy ring of up to 512 entries */
#define TX_SPIN_LIMIT 10000000u
#define FALLBACK_IO_BASE 0xC000u

struct vring_desc {
    uint32_t addr_lo, addr_hi;
    uint32_t len;
    uint16_t flags, next;
};

struct vring_used_elem {
    uint32_t id, len;
};

struct queue {
    uint16_t index;
    uint16_t size;
    struct vring_desc *desc;
    volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
    volatile uint16_t *used_hdr; /* flags, idx */
    volatile struct vring_used_elem *used_ring;
    uint16_t avail_idx;
    uint16_t last_used;
};

static uint8_t rx_ring_mem[RING_BYTES] __attribute__((aligned(4096)));
static uint8_t tx_ring_mem[RING_BYTES] __attribute__((aligned(4096)));
static uint8_t rx_bufs[RX_BUFFERS][BUF_SIZE] __attribute__((aligned(16)));
static uint8_t tx_bufs[TX_BUFFERS][BUF_SIZE] __attribute__((aligned(16)));
static struct queue rxq, txq;
static uint16_t iobase;
static uint16_t tx_free_count;
static uint16_t tx_next_slot;
static uint16_t rx_current_id = 0xFFFF;
static volatile uint32_t irq_count;
static uint32_t rx_frames, tx_frames;

static uint32_t pci_read(uint32_t bus, uint32_t dev, uint32_t fn, uint32_t reg)
{
    outl(PCI_ADDR, 0x80000000u | (bus << 16) | (dev << 11) | (fn << 8) | (reg & 0xFC));
    return inl(PCI_DATA);
}

static void pci_write(uint32_t bus, uint32_t dev, uint32_t fn, uint32_t reg, uint32_t v)
{
    outl(PCI_ADDR, 0x80000000u | (bus << 16) | (dev << 11) | (fn << 8) | (reg & 0xFC));
    outl(PCI_DATA, v);
}

static void vnet_interrupt(void)
{
    /* Reading ISR acknowledges the interrupt and lowers INTx; bit 0 = a used ring changed. */
    (void)inb((uint16_t)(iobase + VIO_ISR));
    irq_count++;
}

static uint16_t *avail_flags(struct queue *q) { return (uint16_t *)&q->avail[0]; }

static int queue_setup(struct queue *q, uint16_t index, uint8_t *mem)
{
    outw((uint16_t)(iobase + VIO_QUEUE_SELECT), index);
    uint16_t size = inw((uint16_t)(iobase + VIO_QUEUE_SIZE));
    uint32_t avail_end = 16u * size + 6u + 2u * size;
    uint32_t used_off = (avail_end + 4095u) & ~4095u;
    uint32_t total = used_off + 6u + 8u * size;
    if (size == 0 || total > RING_BYTES) {
        kprintf("kvstore: virtqueue %u has an unusable size %u\n", index, size);
        return 0;
    }
    memset(mem, 0, RING_BYTES);
    q->index = index;
    q->size = size;
    q->desc = (struct vring_desc *)mem;
    q->avail = (volatile uint16_t *)(mem + 16u * size);
    q->used_hdr = (volatile uint16_t *)(mem + used_off);
    q->used_ring = (volatile struct vring_used_elem *)(mem + used_off + 4);
    q->avail_idx = 0;
    q->last_used = 0;
    outl((uint16_t)(iobase + VIO_QUEUE_PFN), (uint32_t)(uintptr_t)mem >> 12);
    return 1;
}

static void queue_publish(struct queue *q, uint16_t desc_id)
{
    q->avail[2 + (q->avail_idx % q->size)] = desc_id;
    barrier(); /* the ring entry must be visible before the index that publishes it */
    q->avail_idx++;
    q->avail[1] = q->avail_idx;
}

static void queue_kick(struct queue *q)
{
    barrier(); /* publish the index before reading the device's notification wish */
    if ((q->used_hdr[0] & VRING_USED_F_NO_NOTIFY) == 0) {
        outw((uint16_t)(iobase + VIO_QUEUE_NOTIFY), q->index);
    }
}

static void rx_post(uint16_t id)
{
    rxq.desc[id].addr_lo = (uint32_t)(uintptr_t)rx_bufs[id];
    rxq.desc[id].addr_hi = 0;
    rxq.desc[id].len = BUF_SIZE;
    rxq.desc[id].flags = VRING_DESC_F_WRITE;
    rxq.desc[id].next = 0;
    queue_publish(&rxq, id);
}

int vnet_init(uint8_t mac[6])
{
    uint32_t bus = 0, dev, found = 0;
    for (dev = 0; dev < 32 && !found; dev++) {
        uint32_t id = pci_read(bus, dev, 0, 0);
        if ((id & 0xFFFF) == VIRTIO_VENDOR && (id >> 16) == VIRTIO_NET_LEGACY) {
            found = 1;
            break;
        }
    }
    if (!found) {
        return 0;
    }
    uint32_t bar0 = pci_read(bus, dev, 0, 0x10);
    if ((bar0 & 1) == 0) {
        kprintf("kvstore: virtio-net BAR0 is not an I/O BAR (%08x)\n", bar0);
        return 0;
    }
    if ((bar0 & 0xFFFC) == 0) {
        /* No firmware assigned the BAR: place it where SeaBIOS would put the first I/O BAR. */
        pci_write(bus, dev, 0, 0x10, FALLBACK_IO_BASE);
        bar0 = pci_read(bus, dev, 0, 0x10);
    }
    iobase = (uint16_t)(bar0 & 0xFFFC);
    uint8_t irq = (uint8_t)pci_read(bus, dev, 0, 0x3C);
    if (irq == 0 || irq >= 16) {
        kprintf("kvstore: virtio-net has no interrupt line (register 3c = %02x): firmware must route INTx\n", irq);
        return 0;
    }
    /* I/O decoding and bus mastering (the device DMAs into the rings). */
    uint32_t cmd = pci_read(bus, dev, 0, 0x04);
    pci_write(bus, dev, 0, 0x04, (cmd & 0xFFFF) | 0x5);

    outb((uint16_t)(iobase + VIO_STATUS), 0); /* reset */
    outb((uint16_t)(iobase + VIO_STATUS), STATUS_ACKNOWLEDGE);
    outb((uint16_t)(iobase + VIO_STATUS), STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    uint32_t features = inl((uint16_t)(iobase + VIO_HOST_FEATURES));
    outl((uint16_t)(iobase + VIO_GUEST_FEATURES), features & NET_F_MAC);
    if (features & NET_F_MAC) {
        for (int i = 0; i < 6; i++) {
            mac[i] = inb((uint16_t)(iobase + VIO_CONFIG + i));
        }
    } else {
        static const uint8_t fallback[6] = {0x52, 0x54, 0x00, 0x4b, 0x56, 0x01};
        memcpy(mac, fallback, 6);
    }
    if (!queue_setup(&rxq, RX_QUEUE, rx_ring_mem) || !queue_setup(&txq, TX_QUEUE, tx_ring_mem)) {
        outb((uint16_t)(iobase + VIO_STATUS), STATUS_FAILED);
        return 0;
    }
    /* TX completions are collected when a slot is needed: no interrupt for them. */
    *avail_flags(&txq) = VRING_AVAIL_F_NO_INTERRUPT;
    uint16_t rx_count = rxq.size < RX_BUFFERS ? rxq.size : RX_BUFFERS;
    for (uint16_t id = 0; id < rx_count; id++) {
        rx_post(id);
    }
    tx_free_count = txq.size < TX_BUFFERS ? txq.size : TX_BUFFERS;
    irq_set_handler(irq & 15, vnet_interrupt);
    if (irq >= 8) {
        pic_unmask(2);
    }
    pic_unmask(irq & 15);
    outb((uint16_t)(iobase + VIO_STATUS), STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK);
    queue_kick(&rxq);
    kprintf("kvstore: virtio-net at pci 00:%02x.0, io %04x, irq %u, queues %u/%u\n", dev, iobase, irq, rxq.size,
            txq.size);
    return 1;
}

const uint8_t *vnet_rx_next(uint32_t *len)
{
    barrier();
    if (rxq.used_hdr[1] == rxq.last_used) {
        return 0;
    }
    volatile struct vring_used_elem *e = &rxq.used_ring[rxq.last_used % rxq.size];
    rx_current_id = (uint16_t)e->id;
    uint32_t total = e->len;
    rxq.last_used++;
    rx_frames++;
    if (rx_current_id >= RX_BUFFERS || total < NET_HDR_LEN || total > BUF_SIZE) {
        *len = 0;
        return rx_bufs[0] + NET_HDR_LEN;
    }
    *len = total - NET_HDR_LEN;
    return rx_bufs[rx_current_id] + NET_HDR_LEN;
}

void vnet_rx_release(void)
{
    if (rx_current_id < RX_BUFFERS) {
        rx_post(rx_current_id);
        queue_kick(&rxq);
    }
    rx_current_id = 0xFFFF;
}

static void tx_reap(void)
{
    barrier();
    while (txq.used_hdr[1] != txq.last_used) {
        txq.last_used++;
        tx_free_count++;
    }
}

int vnet_tx(const uint8_t *frame, uint32_t len)
{
    if (len > ETH_FRAME_MAX) {
        return 0;
    }
    tx_reap();
    for (uint32_t spin = 0; tx_free_count == 0 && spin < TX_SPIN_LIMIT; spin++) {
        tx_reap();
    }
    if (tx_free_count == 0) {
        return 0;
    }
    /* Buffers complete in order for one queue, so slots are reused round-robin. */
    uint16_t id = tx_next_slot;
    tx_next_slot = (uint16_t)((tx_next_slot + 1) % (txq.size < TX_BUFFERS ? txq.size : TX_BUFFERS));
    tx_free_count--;
    memset(tx_bufs[id], 0, NET_HDR_LEN);
    memcpy(tx_bufs[id] + NET_HDR_LEN, frame, len);
    txq.desc[id].addr_lo = (uint32_t)(uintptr_t)tx_bufs[id];
    txq.desc[id].addr_hi = 0;
    txq.desc[id].len = NET_HDR_LEN + len;
    txq.desc[id].flags = 0;
    txq.desc[id].next = 0;
    queue_publish(&txq, id);
    queue_kick(&txq);
    tx_frames++;
    return 1;
}

void vnet_wait(void)
{
    irq_disable();
    /* Ask for an RX interrupt only now that we are about to sleep, then look once more. */
    *avail_flags(&rxq) = 0;
    barrier();
    if (rxq.used_hdr[1] == rxq.last_used) {
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    *avail_flags(&rxq) = VRING_AVAIL_F_NO_INTERRUPT;
    irq_enable();
}

void vnet_counters(uint32_t *irqs, uint32_t *rx, uint32_t *tx)
{
    *irqs = irq_count;
    *rx = rx_frames;
    *tx = tx_frames;
}
