/*
 * The write-ahead log on the ATA disk. Sectors 0 and 1 hold two copies of the superblock (format
 * id, generation, active region), written alternately so that a torn superblock write leaves the
 * other copy. The rest of the disk is two regions; records go one per sector into the active one.
 * When it fills up, a snapshot of the live state is written at the start of the other region,
 * flushed, and only then does a new superblock make that region the active one: a crash at any
 * moment leaves one complete, replayable log. Record layout: PROTOCOL.md.
 */
#include "kvstore.h"

#define SUPER_MAGIC_LO 0x5453564Bu /* "KVST" */
#define SUPER_MAGIC_HI 0x3245524Fu /* "ORE2" */
#define RECORD_MAGIC 0x474C564Bu   /* "KVLG" */
#define CRC_OFFSET 508u
#define REGIONS_START 2u
#define PAYLOAD_OFFSET 36u

static uint8_t sector[SECTOR_SIZE] __attribute__((aligned(4)));
static uint32_t format_id;
static uint32_t generation;
static uint32_t region_size;
static uint32_t active_region;
static uint32_t next_lba;
static uint32_t next_recno;
static uint32_t snapshot_min;
static log_snapshot_fn snapshot_writer;
static int snapshot_failed;
static uint32_t compactions;

uint32_t crc32(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        }
    }
    return ~c;
}

static uint32_t region_start(uint32_t region)
{
    return REGIONS_START + region * region_size;
}

static int write_super(void)
{
    memset(sector, 0, SECTOR_SIZE);
    put_be32(sector, SUPER_MAGIC_LO);
    put_be32(sector + 4, SUPER_MAGIC_HI);
    put_be32(sector + 8, format_id);
    put_be32(sector + 12, generation);
    put_be32(sector + 16, active_region);
    put_be32(sector + 20, region_size);
    put_be32(sector + CRC_OFFSET, crc32(sector, CRC_OFFSET));
    return disk_write(generation & 1, sector) && disk_flush();
}

/* Reads superblock copy `lba`; returns 1 and fills *gen when it is intact. */
static int read_super(uint32_t lba, uint32_t *gen)
{
    if (!disk_read(lba, sector)) {
        return 0;
    }
    if (get_be32(sector) != SUPER_MAGIC_LO || get_be32(sector + 4) != SUPER_MAGIC_HI ||
        get_be32(sector + CRC_OFFSET) != crc32(sector, CRC_OFFSET)) {
        return 0;
    }
    *gen = get_be32(sector + 12);
    return 1;
}

/* Writes one record at next_lba of the active region and flushes; returns a KV status. */
static int write_record(const struct log_record *r)
{
    if (next_lba >= region_start(active_region) + region_size) {
        return KV_ST_DISK_FULL;
    }
    memset(sector, 0, SECTOR_SIZE);
    put_be32(sector, RECORD_MAGIC);
    put_be32(sector + 4, format_id);
    put_be32(sector + 8, generation);
    put_be32(sector + 12, next_recno);
    sector[16] = r->op;
    sector[17] = r->key_len;
    put_be16(sector + 18, r->value_len);
    put_be64(sector + 20, r->client);
    put_be64(sector + 28, r->seq);
    memcpy(sector + PAYLOAD_OFFSET, r->key, r->key_len);
    memcpy(sector + PAYLOAD_OFFSET + r->key_len, r->value, r->value_len);
    put_be32(sector + CRC_OFFSET, crc32(sector, CRC_OFFSET));
    if (!disk_write(next_lba, sector)) {
        return KV_ST_IO_ERROR;
    }
    next_lba++;
    next_recno++;
    return KV_ST_OK;
}

static int decode_record(struct log_record *r)
{
    if (get_be32(sector) != RECORD_MAGIC || get_be32(sector + 4) != format_id || get_be32(sector + 8) != generation ||
        get_be32(sector + 12) != next_recno || get_be32(sector + CRC_OFFSET) != crc32(sector, CRC_OFFSET)) {
        return 0;
    }
    r->op = sector[16];
    r->key_len = sector[17];
    r->value_len = get_be16(sector + 18);
    r->client = get_be64(sector + 20);
    r->seq = get_be64(sector + 28);
    r->key = sector + PAYLOAD_OFFSET;
    r->value = r->key + r->key_len;
    return PAYLOAD_OFFSET + (uint32_t)r->key_len + r->value_len <= CRC_OFFSET;
}

int log_open(uint32_t disk_sectors, uint32_t snapshot_records, log_replay_fn replay, log_snapshot_fn snapshot)
{
    snapshot_writer = snapshot;
    snapshot_min = snapshot_records;
    uint32_t gen0 = 0, gen1 = 0;
    int ok0 = read_super(0, &gen0);
    int ok1 = read_super(1, &gen1);
    if (!ok0 && !ok1) {
        /* A new log: a fresh format id keeps whatever older data the disk holds from replaying. */
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        format_id = lo ^ (hi * 2654435761u) ^ 0x5A5A1234u;
        generation = 0;
        active_region = 0;
        region_size = (disk_sectors - REGIONS_START) / 2;
        next_lba = REGIONS_START;
        next_recno = 0;
        if (disk_sectors < REGIONS_START + 2 || !write_super()) {
            return -1;
        }
        kprintf("kvstore: formatted a new log (id %08x, 2 regions of %u sectors)\n", format_id, region_size);
        return 0;
    }
    uint32_t lba = ok1 && (!ok0 || gen1 > gen0) ? 1 : 0;
    (void)read_super(lba, &generation);
    format_id = get_be32(sector + 8);
    active_region = get_be32(sector + 16) & 1;
    region_size = get_be32(sector + 20);
    if (region_start(2) > disk_sectors) {
        return -1;
    }
    next_lba = region_start(active_region);
    next_recno = 0;
    struct log_record r;
    while (next_lba < region_start(active_region) + region_size) {
        if (!disk_read(next_lba, sector)) {
            return -1;
        }
        if (!decode_record(&r)) {
            break; /* the first bad or incomplete record ends the log */
        }
        replay(&r);
        next_lba++;
        next_recno++;
    }
    return (int)next_recno;
}

void log_snapshot_put(const struct log_record *r)
{
    if (!snapshot_failed && write_record(r) != KV_ST_OK) {
        snapshot_failed = 1;
    }
}

/* Moves the live state into the other region; the old region stays valid until the switch. */
static int compact(void)
{
    uint32_t old_region = active_region, old_lba = next_lba, old_recno = next_recno;
    active_region ^= 1;
    generation++;
    next_lba = region_start(active_region);
    next_recno = 0;
    snapshot_failed = 0;
    snapshot_writer();
    if (snapshot_failed || !disk_flush() || !write_super()) {
        active_region = old_region;
        generation--;
        next_lba = old_lba;
        next_recno = old_recno;
        return 0;
    }
    compactions++;
    kprintf("kvstore: log compacted into region %u (generation %u, %u records)\n", active_region, generation,
            next_recno);
    return 1;
}

int log_append(const struct log_record *r)
{
    uint32_t end = region_start(active_region) + region_size;
    if (next_lba >= end && region_size >= 2 * snapshot_min && !compact()) {
        return KV_ST_IO_ERROR;
    }
    int st = write_record(r);
    if (st == KV_ST_OK && !disk_flush()) {
        return KV_ST_IO_ERROR;
    }
    return st;
}

uint32_t log_compactions(void)
{
    return compactions;
}
