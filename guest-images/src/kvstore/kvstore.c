/*
 * kvstore: the COLO demo guest. Finds the legacy virtio-net device and the ATA disk, replays the
 * change log, then serves the key/value protocol (PROTOCOL.md) on UDP 10.0.2.15:9000 forever.
 * It only exits (through isa-debug-exit) when a device it needs is missing or the disk fails.
 */
#include "kvstore.h"

int guest_main(const struct multiboot_info *mbi)
{
    (void)mbi;
    devlib_init();
    kprintf("kvstore: starting\n");
    uint32_t sectors = 0;
    for (int attempt = 0; attempt < 3 && sectors == 0; attempt++) {
        sectors = disk_init();
    }
    if (sectors == 0) {
        kprintf("kvstore: no ATA disk on the primary master\n");
        return 2;
    }
    int replayed = store_open(sectors);
    if (replayed < 0) {
        kprintf("kvstore: disk error while reading the log\n");
        return 3;
    }
    kprintf("kvstore: disk %u sectors, replayed %d records, %u keys, %u clients\n", sectors, replayed,
            store_key_count(), store_client_count());
    uint8_t mac[6];
    if (!vnet_init(mac)) {
        kprintf("kvstore: no legacy virtio-net device (1af4:1000)\n");
        return 4;
    }
    kprintf("kvstore: mac %02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    net_init(mac, store_serve);
    irq_enable();
    net_announce();
    kprintf("kvstore: listening on 10.0.2.15:%u\n", KV_PORT);
    for (;;) {
        uint32_t len;
        const uint8_t *frame;
        while ((frame = vnet_rx_next(&len)) != 0) {
            net_input(frame, len);
            vnet_rx_release();
        }
        vnet_wait();
    }
}
