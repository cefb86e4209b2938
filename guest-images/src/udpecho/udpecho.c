/*
 * udpecho: two guests exchange UDP datagrams over legacy virtio-net, built on kvstore's driver and
 * IPv4 stack. Command line: mode=server|client ip=A.B.C.D peer=A.B.C.D count=N port=P.
 *
 * The client resolves the peer by ARP, then sends datagram 0..N-1 one at a time (stop and wait):
 * a 4-byte big-endian sequence number followed by a pattern that depends on the sequence number,
 * with a length that varies too. It retransmits after a timeout in PIT ticks, because the first
 * frames may be lost while the peer is still booting or the wire is not connected yet. The server
 * echoes every datagram back to its sender and prints each new sequence number once, so the
 * transcript does not depend on retransmissions. Both exit through isa-debug-exit.
 */
#include "../kvstore/kvstore.h"

#define TICK_HZ 100u                 /* watchdog_start programs the PIT for 100 Hz */
#define ARP_RETRY_TICKS 10u
#define ECHO_RETRY_TICKS 20u
#define GIVE_UP_TICKS (60u * TICK_HZ)
#define SERVER_LINGER_TICKS TICK_HZ  /* echoes retransmissions whose echo may still be in flight */
#define PAYLOAD_MAX 1024u

enum { EXIT_OK = 0, EXIT_NO_NIC = 4, EXIT_BAD_ARGS = 5, EXIT_NO_PEER = 6, EXIT_NO_ECHO = 7, EXIT_BAD_ECHO = 8 };

static uint32_t count;
static uint32_t next_seq;       /* server: next new sequence number; client: the one awaiting its echo */
static int echo_state;          /* client: 0 waiting, 1 echo matched, -1 echo differs */
static uint8_t sent[PAYLOAD_MAX];
static uint32_t sent_len;

/* Finds "key=" as a whole word in the command line; returns the value's start or 0. */
static const char *cmdline_value(const char *key)
{
    const char *s = guest_cmdline();
    size_t keylen = strlen(key);
    for (; *s; s++) {
        if ((s == guest_cmdline() || s[-1] == ' ') && memcmp(s, key, keylen) == 0 && s[keylen] == '=') {
            return s + keylen + 1;
        }
    }
    return 0;
}

/* Parses A.B.C.D; returns `fallback` when the key is absent, 0 when the value is malformed. */
static uint32_t cmdline_ip(const char *key, uint32_t fallback)
{
    const char *p = cmdline_value(key);
    if (p == 0) {
        return fallback;
    }
    uint32_t ip = 0;
    for (int part = 0; part < 4; part++) {
        uint32_t octet = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            octet = octet * 10 + (uint32_t)(*p++ - '0');
            digits++;
        }
        if (digits == 0 || octet > 255 || (part < 3 && *p++ != '.')) {
            return 0;
        }
        ip = (ip << 8) | octet;
    }
    return (*p == ' ' || *p == '\0') ? ip : 0;
}

static int is_client(void)
{
    const char *mode = cmdline_value("mode");
    return mode != 0 && memcmp(mode, "client", 6) == 0 && (mode[6] == ' ' || mode[6] == '\0');
}

static int is_server_or_default(void)
{
    const char *mode = cmdline_value("mode");
    return mode == 0 || (memcmp(mode, "server", 6) == 0 && (mode[6] == ' ' || mode[6] == '\0'));
}

static void print_ip(const char *label, uint32_t ip)
{
    kprintf("%s%u.%u.%u.%u", label, ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

/* Datagram `seq`: its sequence number, then bytes that differ from one datagram to the next. */
static uint32_t build_datagram(uint32_t seq, uint8_t *out)
{
    uint32_t len = 8 + (seq * 37u) % 200u;
    put_be32(out, seq);
    put_be32(out + 4, count);
    for (uint32_t i = 8; i < len; i++) {
        out[i] = (uint8_t)(seq * 31u + i * 7u + (i >> 3));
    }
    return len;
}

static uint32_t byte_sum(const uint8_t *p, uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        sum += p[i];
    }
    return sum;
}

static uint32_t serve_echo(const uint8_t *req, uint32_t len, uint8_t *reply, uint32_t reply_max)
{
    if (len < 4 || len > reply_max) {
        return 0;
    }
    uint32_t seq = get_be32(req);
    if (seq > next_seq) {
        return 0; /* the client never sends ahead of its echoes: a stray datagram */
    }
    if (seq == next_seq && next_seq < count) {
        kprintf("udpecho: seq %u len %u sum %u\n", seq, len, byte_sum(req, len));
        next_seq++;
    }
    memcpy(reply, req, len);
    return len;
}

static uint32_t check_echo(const uint8_t *req, uint32_t len, uint8_t *reply, uint32_t reply_max)
{
    (void)reply;
    (void)reply_max;
    if (echo_state != 0 || len < 4 || get_be32(req) != next_seq) {
        return 0; /* late duplicates of earlier echoes */
    }
    echo_state = (len == sent_len && memcmp(req, sent, len) == 0) ? 1 : -1;
    return 0;
}

static void drain_rx(void)
{
    uint32_t len;
    const uint8_t *frame;
    while ((frame = vnet_rx_next(&len)) != 0) {
        net_input(frame, len);
        vnet_rx_release();
    }
}

static int run_server(void)
{
    uint32_t last_progress = watchdog_ticks();
    uint32_t seen = 0;
    while (next_seq < count) {
        drain_rx();
        if (next_seq != seen) {
            seen = next_seq;
            last_progress = watchdog_ticks();
        } else if (watchdog_ticks() - last_progress > GIVE_UP_TICKS) {
            kprintf("udpecho: gave up after %u of %u datagrams\n", next_seq, count);
            return EXIT_NO_ECHO;
        }
        vnet_wait();
    }
    uint32_t done = watchdog_ticks();
    while (watchdog_ticks() - done < SERVER_LINGER_TICKS) {
        drain_rx();
        vnet_wait();
    }
    kprintf("udpecho: echoed %u\n", count);
    return EXIT_OK;
}

static int resolve_peer(uint32_t peer)
{
    uint32_t start = watchdog_ticks();
    uint32_t asked = start - ARP_RETRY_TICKS;
    while (!net_knows(peer)) {
        uint32_t now = watchdog_ticks();
        if (now - start > GIVE_UP_TICKS) {
            return 0;
        }
        if (now - asked >= ARP_RETRY_TICKS) {
            net_arp_request(peer);
            asked = now;
        }
        vnet_wait();
        drain_rx();
    }
    return 1;
}

static int run_client(uint32_t peer, uint16_t port)
{
    if (!resolve_peer(peer)) {
        print_ip("udpecho: no ARP answer from ", peer);
        kprintf("\n");
        return EXIT_NO_PEER;
    }
    print_ip("udpecho: peer ", peer);
    kprintf(" resolved\n");
    for (next_seq = 0; next_seq < count; next_seq++) {
        sent_len = build_datagram(next_seq, sent);
        echo_state = 0;
        uint32_t start = watchdog_ticks();
        uint32_t sent_at = start - ECHO_RETRY_TICKS;
        while (echo_state == 0) {
            uint32_t now = watchdog_ticks();
            if (now - start > GIVE_UP_TICKS) {
                kprintf("udpecho: no echo for seq %u\n", next_seq);
                return EXIT_NO_ECHO;
            }
            if (now - sent_at >= ECHO_RETRY_TICKS) {
                (void)net_udp_send(peer, port, sent, sent_len);
                sent_at = now;
            }
            vnet_wait();
            drain_rx();
        }
        if (echo_state < 0) {
            kprintf("udpecho: echo of seq %u differs from what was sent\n", next_seq);
            return EXIT_BAD_ECHO;
        }
        kprintf("udpecho: seq %u len %u echoed\n", next_seq, sent_len);
    }
    kprintf("udpecho: %u/%u echoed, payload ok\n", count, count);
    return EXIT_OK;
}

int guest_main(const struct multiboot_info *mbi)
{
    (void)mbi;
    devlib_init();
    int client = is_client();
    if (!client && !is_server_or_default()) {
        kprintf("udpecho: mode must be server or client\n");
        return EXIT_BAD_ARGS;
    }
    uint32_t ip = cmdline_ip("ip", client ? 0x0A000210u : 0x0A00020Fu); /* 10.0.2.16 / 10.0.2.15 */
    uint32_t peer = cmdline_ip("peer", client ? 0x0A00020Fu : 0x0A000210u);
    count = cmdline_uint("count", 8);
    uint32_t port = cmdline_uint("port", 7000);
    if (ip == 0 || peer == 0 || port == 0 || port > 65535 || count == 0) {
        kprintf("udpecho: bad command line (ip, peer, count or port)\n");
        return EXIT_BAD_ARGS;
    }
    print_ip(client ? "udpecho: client " : "udpecho: server ", ip);
    print_ip(client ? " to " : " for ", peer);
    kprintf(" port %u count %u\n", port, count);
    uint8_t mac[6];
    if (!vnet_init(mac)) {
        kprintf("udpecho: no legacy virtio-net device (1af4:1000)\n");
        return EXIT_NO_NIC;
    }
    net_init(mac, client ? check_echo : serve_echo);
    net_configure(ip, (uint16_t)port);
    watchdog_start();
    irq_enable();
    return client ? run_client(peer, (uint16_t)port) : run_server();
}
