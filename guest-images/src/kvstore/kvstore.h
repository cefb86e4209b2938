/*
 * kvstore: a UDP key/value service for the COLO demo. Shared declarations of its parts: PCI and the
 * legacy virtio-net driver, the Ethernet/ARP/IPv4/UDP stack, the ATA PIO disk, the write-ahead log
 * and the store with its exactly-once client table. See PROTOCOL.md for the wire and disk formats.
 */
#ifndef TWINSTEP_KVSTORE_H
#define TWINSTEP_KVSTORE_H

#include "devlib.h"

static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void barrier(void) { __asm__ volatile("lock; addl $0, (%%esp)" ::: "memory"); }

static inline uint16_t get_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t get_be64(const uint8_t *p) { return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4); }
static inline void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, (uint16_t)(v >> 16));
    put_be16(p + 2, (uint16_t)v);
}
static inline void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

/* ---- virtio-net (virtio_net.c) ---- */
#define ETH_FRAME_MAX 1514u

/** Finds 1AF4:1000 on PCI bus 0, negotiates features, sets up both queues; 0 when absent. */
int vnet_init(uint8_t mac[6]);
/** Returns the next received frame (valid until vnet_rx_release) or NULL; *len gets its length. */
const uint8_t *vnet_rx_next(uint32_t *len);
/** Gives the frame vnet_rx_next returned back to the device. */
void vnet_rx_release(void);
/** Queues one Ethernet frame for transmission (copied); returns 0 when the TX ring stays full. */
int vnet_tx(const uint8_t *frame, uint32_t len);
/** Sleeps (sti; hlt) until a frame is waiting, with RX interrupts enabled only while idle. */
void vnet_wait(void);
/** Interrupts taken and frames received/sent/dropped, for the status line. */
void vnet_counters(uint32_t *irqs, uint32_t *rx, uint32_t *tx);

/* ---- network stack (net.c) ---- */
#define KV_IP 0x0A00020Fu      /* 10.0.2.15 */
#define KV_GATEWAY 0x0A000202u /* 10.0.2.2 */
#define KV_NETMASK 0xFFFFFF00u
#define KV_PORT 9000

/** Called with each UDP payload that arrives on KV_PORT; writes the reply, returns its length. */
typedef uint32_t (*udp_service_fn)(const uint8_t *req, uint32_t len, uint8_t *reply, uint32_t reply_max);

void net_init(const uint8_t mac[6], udp_service_fn service);
/** Handles one received Ethernet frame (ARP replies, UDP service requests). */
void net_input(const uint8_t *frame, uint32_t len);
/** Sends an ARP request for the gateway so that both ends know each other's MAC early. */
void net_announce(void);
/** Changes the host address and the served UDP port (kvstore keeps KV_IP and KV_PORT). */
void net_configure(uint32_t ip, uint16_t port);
/** Broadcasts an ARP request for `ip`. */
void net_arp_request(uint32_t ip);
/** Whether the ARP cache holds a MAC for `ip`. */
int net_knows(uint32_t ip);
/** Sends one UDP datagram from the served port to a resolved host; 0 when its MAC is unknown. */
int net_udp_send(uint32_t dst_ip, uint16_t dst_port, const uint8_t *payload, uint32_t len);

/* ---- ATA PIO disk on the primary master (disk.c) ---- */
#define SECTOR_SIZE 512u
/** Resets and identifies the drive; returns its LBA28 sector count, or 0 when there is none. */
uint32_t disk_init(void);
int disk_read(uint32_t lba, uint8_t *buf);
int disk_write(uint32_t lba, const uint8_t *buf);
int disk_flush(void);

/* ---- write-ahead log (log.c) ---- */
enum {
    KV_ST_OK = 0,
    KV_ST_NOT_FOUND = 1,
    KV_ST_BAD_REQUEST = 2,
    KV_ST_STORE_FULL = 3,
    KV_ST_DISK_FULL = 4,
    KV_ST_STALE_SEQ = 5,
    KV_ST_CLIENT_TABLE_FULL = 6,
    KV_ST_NOT_A_COUNTER = 7,
    KV_ST_IO_ERROR = 8,
};

/** One log record; key and value point into a buffer owned by the caller (or the log, at replay). */
struct log_record {
    uint8_t op;
    uint8_t key_len;
    uint16_t value_len;
    uint64_t client;
    uint64_t seq;
    const uint8_t *key;
    const uint8_t *value;
};

typedef void (*log_replay_fn)(const struct log_record *r);
/** Writes the whole live state through log_snapshot_put. */
typedef void (*log_snapshot_fn)(void);

/**
 * Opens (or formats) the log and replays it through `replay`; returns the record count or -1.
 * `snapshot_records` bounds the size of a snapshot; compaction needs regions twice that size.
 */
int log_open(uint32_t disk_sectors, uint32_t snapshot_records, log_replay_fn replay, log_snapshot_fn snapshot);
/** Appends and flushes one record; returns KV_ST_OK, KV_ST_DISK_FULL or KV_ST_IO_ERROR. */
int log_append(const struct log_record *r);
/** Called by the snapshot writer for each record of the live state. */
void log_snapshot_put(const struct log_record *r);
uint32_t log_compactions(void);

/* ---- store and client table (store.c) ---- */
/** Replays the log from the disk; returns the number of records applied, or -1 on a disk error. */
int store_open(uint32_t disk_sectors);
/** The UDP service: decodes one request, executes it exactly once, encodes the reply. */
uint32_t store_serve(const uint8_t *req, uint32_t len, uint8_t *reply, uint32_t reply_max);
uint32_t store_key_count(void);
uint32_t store_client_count(void);

uint32_t crc32(const uint8_t *p, uint32_t n);

#endif
