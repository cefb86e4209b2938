/*
 * The key/value store, the exactly-once client table and the write-ahead log on the ATA disk.
 * A change is logged (one sector, CRC32, FLUSH CACHE) before it is applied and answered, so an
 * acknowledged change survives a crash; the log record also carries (client, seq), from which the
 * client table's saved reply is rebuilt at replay. Wire and disk formats: PROTOCOL.md.
 */
#include "kvstore.h"

#define KV_MAGIC 0x4B56
#define KV_VERSION 1
#define HDR_LEN 24u
#define KEY_MAX 64u
#define VALUE_MAX 256u
#define KEYS_MAX 4096u
#define SLOTS 8192u /* twice KEYS_MAX keeps linear probes short */
#define CLIENTS_MAX 1024u

enum { OP_PUT = 1, OP_GET = 2, OP_INCR = 3, OP_DEL = 4 };
enum { SLOT_EMPTY = 0, SLOT_USED = 1, SLOT_DELETED = 2 };

#define OP_CLIENT 5 /* log only: a client table entry, written by snapshots */

struct slot {
    uint8_t state;
    uint8_t key_len;
    uint16_t value_len;
    uint8_t key[KEY_MAX];
    uint8_t value[VALUE_MAX];
};

struct client {
    uint64_t id;
    uint64_t last_seq;
    uint8_t op;
    uint8_t status;
    uint16_t value_len;
    uint8_t value[VALUE_MAX];
};

static struct slot slots[SLOTS];
static uint32_t key_count;
static struct client clients[CLIENTS_MAX];
static uint32_t client_count;

static uint32_t hash_key(const uint8_t *key, uint32_t len)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++) {
        h = (h ^ key[i]) * 16777619u;
    }
    return h;
}

/* The slot holding `key`, or NULL; *insert_at gets the first reusable slot on the probe path. */
static struct slot *find_slot(const uint8_t *key, uint32_t len, struct slot **insert_at)
{
    struct slot *reusable = 0;
    uint32_t h = hash_key(key, len);
    for (uint32_t probe = 0; probe < SLOTS; probe++) {
        struct slot *s = &slots[(h + probe) % SLOTS];
        if (s->state == SLOT_EMPTY) {
            if (!reusable) {
                reusable = s;
            }
            break;
        }
        if (s->state == SLOT_DELETED) {
            if (!reusable) {
                reusable = s;
            }
        } else if (s->key_len == len && memcmp(s->key, key, len) == 0) {
            return s;
        }
    }
    if (insert_at) {
        *insert_at = reusable;
    }
    return 0;
}

/* Applies a validated change; PUT also carries INCR's result, so replay needs no arithmetic. */
static void apply(uint8_t op, const uint8_t *key, uint32_t key_len, const uint8_t *value, uint32_t value_len)
{
    struct slot *free_slot = 0;
    struct slot *s = find_slot(key, key_len, &free_slot);
    if (op == OP_DEL) {
        if (s) {
            s->state = SLOT_DELETED;
            key_count--;
        }
        return;
    }
    if (!s) {
        s = free_slot;
        s->state = SLOT_USED;
        s->key_len = (uint8_t)key_len;
        memcpy(s->key, key, key_len);
        key_count++;
    }
    s->value_len = (uint16_t)value_len;
    memcpy(s->value, value, value_len);
}

static struct client *find_client(uint64_t id)
{
    for (uint32_t i = 0; i < client_count; i++) {
        if (clients[i].id == id) {
            return &clients[i];
        }
    }
    return 0;
}

static struct client *add_client(uint64_t id)
{
    if (client_count == CLIENTS_MAX) {
        return 0;
    }
    struct client *c = &clients[client_count++];
    memset(c, 0, sizeof(*c));
    c->id = id;
    return c;
}

static void remember(struct client *c, uint64_t seq, uint8_t op, uint8_t status, const uint8_t *value,
                     uint32_t value_len)
{
    c->last_seq = seq;
    c->op = op;
    c->status = status;
    c->value_len = (uint16_t)value_len;
    memcpy(c->value, value, value_len);
}

/* Logs a change made on behalf of (client, seq); returns KV_ST_OK or the error to answer. */
static int log_change(uint8_t op, uint64_t client, uint64_t seq, const uint8_t *key, uint32_t key_len,
                      const uint8_t *value, uint32_t value_len)
{
    struct log_record r = {op, (uint8_t)key_len, (uint16_t)value_len, client, seq, key, value};
    return log_append(&r);
}

/* Replays one record: changes are re-applied (INCR records hold the result) and rebuild the reply. */
static void replay_record(const struct log_record *r)
{
    if (r->op == OP_CLIENT) {
        struct client *c = find_client(r->client);
        if (!c) {
            c = add_client(r->client);
        }
        if (c && r->key_len == 2 && r->value_len <= VALUE_MAX) {
            remember(c, r->seq, r->key[0], r->key[1], r->value, r->value_len);
        }
        return;
    }
    if (r->op < OP_PUT || r->op > OP_DEL || r->key_len == 0 || r->key_len > KEY_MAX || r->value_len > VALUE_MAX) {
        return;
    }
    apply(r->op == OP_DEL ? OP_DEL : OP_PUT, r->key, r->key_len, r->value, r->value_len);
    if (r->client == 0) {
        return; /* a snapshot's key record */
    }
    struct client *c = find_client(r->client);
    if (!c) {
        c = add_client(r->client);
    }
    if (c) {
        remember(c, r->seq, r->op, KV_ST_OK, r->value, r->op == OP_INCR ? r->value_len : 0);
    }
}

/* The live state as log records: every key (client 0), then every client table entry. */
static void write_snapshot(void)
{
    for (uint32_t i = 0; i < SLOTS; i++) {
        struct slot *s = &slots[i];
        if (s->state == SLOT_USED) {
            struct log_record r = {OP_PUT, s->key_len, s->value_len, 0, 0, s->key, s->value};
            log_snapshot_put(&r);
        }
    }
    for (uint32_t i = 0; i < client_count; i++) {
        struct client *c = &clients[i];
        uint8_t op_status[2] = {c->op, c->status};
        struct log_record r = {OP_CLIENT, 2, c->value_len, c->id, c->last_seq, op_status, c->value};
        log_snapshot_put(&r);
    }
}

int store_open(uint32_t disk_sectors)
{
    return log_open(disk_sectors, KEYS_MAX + CLIENTS_MAX, replay_record, write_snapshot);
}

static uint32_t encode_reply(uint8_t *out, const uint8_t *req, uint8_t status, const uint8_t *value,
                             uint32_t value_len)
{
    put_be16(out, KV_MAGIC);
    out[2] = KV_VERSION;
    out[3] = req[3];
    memcpy(out + 4, req + 4, 16); /* client id and sequence number */
    out[20] = status;
    out[21] = 0;
    put_be16(out + 22, (uint16_t)value_len);
    memcpy(out + HDR_LEN, value, value_len);
    return HDR_LEN + value_len;
}

/* Executes a fresh request; returns the status and fills value/value_len with the reply value. */
static uint8_t execute(uint8_t op, uint64_t client, uint64_t seq, const uint8_t *key, uint32_t key_len,
                       const uint8_t *arg, uint32_t arg_len, uint8_t *value, uint32_t *value_len)
{
    *value_len = 0;
    struct slot *free_slot = 0;
    struct slot *s = find_slot(key, key_len, &free_slot);
    if (op == OP_GET) {
        if (!s) {
            return KV_ST_NOT_FOUND;
        }
        memcpy(value, s->value, s->value_len);
        *value_len = s->value_len;
        return KV_ST_OK;
    }
    if (op == OP_DEL) {
        if (!s) {
            return KV_ST_NOT_FOUND;
        }
        int st = log_change(OP_DEL, client, seq, key, key_len, 0, 0);
        if (st == KV_ST_OK) {
            apply(OP_DEL, key, key_len, 0, 0);
        }
        return (uint8_t)st;
    }
    if (!s && (key_count >= KEYS_MAX || !free_slot)) {
        return KV_ST_STORE_FULL;
    }
    if (op == OP_INCR) {
        int64_t delta = 1;
        if (arg_len == 8) {
            delta = (int64_t)get_be64(arg);
        } else if (arg_len != 0) {
            return KV_ST_BAD_REQUEST;
        }
        if (s && s->value_len != 8) {
            return KV_ST_NOT_A_COUNTER;
        }
        int64_t current = s ? (int64_t)get_be64(s->value) : 0;
        put_be64(value, (uint64_t)(current + delta));
        *value_len = 8;
        int st = log_change(OP_INCR, client, seq, key, key_len, value, 8);
        if (st != KV_ST_OK) {
            *value_len = 0;
            return (uint8_t)st;
        }
        apply(OP_PUT, key, key_len, value, 8);
        return KV_ST_OK;
    }
    int st = log_change(OP_PUT, client, seq, key, key_len, arg, arg_len);
    if (st == KV_ST_OK) {
        apply(OP_PUT, key, key_len, arg, arg_len);
    }
    return (uint8_t)st;
}

uint32_t store_serve(const uint8_t *req, uint32_t len, uint8_t *reply, uint32_t reply_max)
{
    static uint8_t value[VALUE_MAX];
    if (len < HDR_LEN || get_be16(req) != KV_MAGIC || reply_max < HDR_LEN + VALUE_MAX) {
        return 0; /* not ours: no answer */
    }
    uint8_t op = req[3];
    uint64_t client_id = get_be64(req + 4);
    uint64_t seq = get_be64(req + 12);
    uint32_t key_len = req[20];
    uint32_t arg_len = get_be16(req + 22);
    if (req[2] != KV_VERSION || op < OP_PUT || op > OP_DEL || key_len == 0 || key_len > KEY_MAX ||
        arg_len > VALUE_MAX || HDR_LEN + key_len + arg_len != len || seq == 0 || client_id == 0) {
        return encode_reply(reply, req, KV_ST_BAD_REQUEST, 0, 0);
    }
    struct client *c = find_client(client_id);
    if (c && seq == c->last_seq) {
        return encode_reply(reply, req, c->status, c->value, c->value_len); /* a retry: the saved reply */
    }
    if (c && seq < c->last_seq) {
        return encode_reply(reply, req, KV_ST_STALE_SEQ, 0, 0);
    }
    if (!c && client_count == CLIENTS_MAX) {
        return encode_reply(reply, req, KV_ST_CLIENT_TABLE_FULL, 0, 0);
    }
    uint32_t value_len = 0;
    uint8_t status = execute(op, client_id, seq, req + HDR_LEN, key_len, req + HDR_LEN + key_len, arg_len, value,
                             &value_len);
    if (status != KV_ST_DISK_FULL && status != KV_ST_IO_ERROR) {
        /* Failed writes are not remembered: nothing changed, so a retry may run it afresh. */
        if (!c) {
            c = add_client(client_id);
        }
        remember(c, seq, op, status, value, value_len);
    }
    return encode_reply(reply, req, status, value, value_len);
}

uint32_t store_key_count(void)
{
    return key_count;
}

uint32_t store_client_count(void)
{
    return client_count;
}
