/*
 * A minimal IPv4 host: Ethernet II, ARP (answers for its own address, keeps a small cache), IPv4
 * without fragments (header checksum checked and set) and UDP with its pseudo-header checksum. One
 * UDP service; everything else is dropped. Fixed buffers only. The address and port are kvstore's
 * 10.0.2.15:9000 unless net_configure sets others (udpecho does).
 */
#include "kvstore.h"

#define ETH_HDR 14u
#define IP_HDR 20u
#define UDP_HDR 8u
#define ETHERTYPE_IP 0x0800
#define ETHERTYPE_ARP 0x0806
#define IPPROTO_UDP 17
#define ARP_CACHE_SIZE 8u
#define UDP_PAYLOAD_MAX (ETH_FRAME_MAX - ETH_HDR - IP_HDR - UDP_HDR)

struct arp_entry {
    uint32_t ip;
    uint8_t mac[6];
};

static uint8_t my_mac[6];
/* kvstore keeps the defaults; other guests built from this stack (udpecho) pick their own. */
static uint32_t my_ip = KV_IP;
static uint16_t my_port = KV_PORT;
static udp_service_fn service;
static struct arp_entry arp_cache[ARP_CACHE_SIZE];
static uint32_t arp_next_victim;
static uint8_t out_frame[ETH_FRAME_MAX];
static uint16_t ip_ident;
static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

void net_init(const uint8_t mac[6], udp_service_fn fn)
{
    memcpy(my_mac, mac, 6);
    service = fn;
}

void net_configure(uint32_t ip, uint16_t port)
{
    my_ip = ip;
    my_port = port;
}

static void arp_learn(uint32_t ip, const uint8_t *mac)
{
    for (uint32_t i = 0; i < ARP_CACHE_SIZE; i++) {
        if (arp_cache[i].ip == ip) {
            memcpy(arp_cache[i].mac, mac, 6);
            return;
        }
    }
    struct arp_entry *e = &arp_cache[arp_next_victim++ % ARP_CACHE_SIZE];
    e->ip = ip;
    memcpy(e->mac, mac, 6);
}

static const uint8_t *arp_lookup(uint32_t ip)
{
    for (uint32_t i = 0; i < ARP_CACHE_SIZE; i++) {
        if (arp_cache[i].ip == ip && ip != 0) {
            return arp_cache[i].mac;
        }
    }
    return 0;
}

static void eth_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, my_mac, 6);
    put_be16(f + 12, type);
}

static void arp_send(uint16_t op, const uint8_t *dst_mac, const uint8_t *target_mac, uint32_t target_ip)
{
    uint8_t *f = out_frame;
    eth_header(f, dst_mac, ETHERTYPE_ARP);
    uint8_t *a = f + ETH_HDR;
    put_be16(a, 1);      /* Ethernet */
    put_be16(a + 2, ETHERTYPE_IP);
    a[4] = 6;
    a[5] = 4;
    put_be16(a + 6, op);
    memcpy(a + 8, my_mac, 6);
    put_be32(a + 14, my_ip);
    memcpy(a + 18, target_mac, 6);
    put_be32(a + 24, target_ip);
    (void)vnet_tx(f, 60); /* minimum Ethernet payload: pad to 60 bytes */
}

void net_announce(void)
{
    net_arp_request(KV_GATEWAY);
}

void net_arp_request(uint32_t ip)
{
    static const uint8_t zero[6] = {0};
    memset(out_frame, 0, sizeof(out_frame));
    arp_send(1, broadcast, zero, ip);
}

int net_knows(uint32_t ip)
{
    return arp_lookup(ip) != 0;
}

static void arp_input(const uint8_t *a, uint32_t len)
{
    if (len < 28 || get_be16(a) != 1 || get_be16(a + 2) != ETHERTYPE_IP || a[4] != 6 || a[5] != 4) {
        return;
    }
    uint16_t op = get_be16(a + 6);
    uint32_t sender_ip = get_be32(a + 14);
    uint32_t target_ip = get_be32(a + 24);
    if (target_ip != my_ip) {
        return;
    }
    arp_learn(sender_ip, a + 8);
    if (op == 1) {
        memset(out_frame, 0, 60);
        arp_send(2, a + 8, a + 8, sender_ip);
    }
}

/* One's-complement sum of `n` bytes, folded later; `sum` carries a previous partial sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i + 1 < n; i += 2) {
        sum += get_be16(p + i);
    }
    if (n & 1) {
        sum += (uint32_t)p[n - 1] << 8;
    }
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static uint16_t udp_checksum(const uint8_t *ip, const uint8_t *udp, uint32_t udp_len)
{
    uint32_t sum = csum_add(0, ip + 12, 8); /* source and destination address */
    sum += IPPROTO_UDP;
    sum += udp_len;
    sum = csum_add(sum, udp, udp_len);
    return csum_fold(sum);
}

static void udp_reply(const uint8_t *sender_mac, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
                      uint32_t payload_len)
{
    uint32_t next_hop = (src_ip & KV_NETMASK) == (my_ip & KV_NETMASK) ? src_ip : KV_GATEWAY;
    const uint8_t *dst_mac = arp_lookup(next_hop);
    int resolve = dst_mac == 0;
    if (resolve) {
        /* The request came through the next hop, so its source MAC is a safe answer meanwhile. */
        dst_mac = sender_mac;
    }
    uint8_t *f = out_frame;
    eth_header(f, dst_mac, ETHERTYPE_IP);
    uint8_t *ip = f + ETH_HDR;
    uint8_t *udp = ip + IP_HDR;
    uint32_t udp_len = UDP_HDR + payload_len;
    ip[0] = 0x45;
    ip[1] = 0;
    put_be16(ip + 2, (uint16_t)(IP_HDR + udp_len));
    put_be16(ip + 4, ip_ident++);
    put_be16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 64;
    ip[9] = IPPROTO_UDP;
    put_be16(ip + 10, 0);
    put_be32(ip + 12, my_ip);
    put_be32(ip + 16, src_ip);
    put_be16(ip + 10, csum_fold(csum_add(0, ip, IP_HDR)));
    put_be16(udp, dst_port);
    put_be16(udp + 2, src_port);
    put_be16(udp + 4, (uint16_t)udp_len);
    put_be16(udp + 6, 0);
    uint16_t c = udp_checksum(ip, udp, udp_len);
    put_be16(udp + 6, c == 0 ? 0xFFFF : c);
    uint32_t len = ETH_HDR + IP_HDR + udp_len;
    if (len < 60) {
        memset(f + len, 0, 60 - len);
        len = 60;
    }
    (void)vnet_tx(f, len);
    if (resolve) {
        static const uint8_t unknown[6] = {0};
        memset(out_frame, 0, 60);
        arp_send(1, broadcast, unknown, next_hop);
    }
}

static void ip_input(const uint8_t *frame, const uint8_t *ip, uint32_t len)
{
    if (len < IP_HDR || (ip[0] >> 4) != 4) {
        return;
    }
    uint32_t ihl = (ip[0] & 15u) * 4u;
    uint32_t total = get_be16(ip + 2);
    if (ihl < IP_HDR || total < ihl || total > len || csum_fold(csum_add(0, ip, ihl)) != 0) {
        return;
    }
    if ((get_be16(ip + 6) & 0x3FFF) != 0 || ip[9] != IPPROTO_UDP || get_be32(ip + 16) != my_ip) {
        return; /* fragments, other protocols and other hosts' packets */
    }
    const uint8_t *udp = ip + ihl;
    uint32_t udp_len = total - ihl;
    if (udp_len < UDP_HDR || get_be16(udp + 4) != udp_len) {
        return;
    }
    if (get_be16(udp + 6) != 0) {
        uint32_t sum = csum_add(0, ip + 12, 8) + IPPROTO_UDP + udp_len;
        if (csum_fold(csum_add(sum, udp, udp_len)) != 0) {
            return;
        }
    }
    if (get_be16(udp + 2) != my_port) {
        return;
    }
    uint32_t src_ip = get_be32(ip + 12);
    uint16_t src_port = get_be16(udp);
    if ((src_ip & KV_NETMASK) == (my_ip & KV_NETMASK)) {
        arp_learn(src_ip, frame + 6);
    }
    /* The reply is built in place after the headers of out_frame; the request stays untouched. */
    uint8_t *payload = out_frame + ETH_HDR + IP_HDR + UDP_HDR;
    uint32_t n = service(udp + UDP_HDR, udp_len - UDP_HDR, payload, UDP_PAYLOAD_MAX);
    if (n > 0) {
        udp_reply(frame + 6, src_ip, src_port, my_port, n);
    }
}

void net_input(const uint8_t *frame, uint32_t len)
{
    if (len < ETH_HDR) {
        return;
    }
    if (memcmp(frame, my_mac, 6) != 0 && memcmp(frame, broadcast, 6) != 0) {
        return;
    }
    uint16_t type = get_be16(frame + 12);
    if (type == ETHERTYPE_ARP) {
        arp_input(frame + ETH_HDR, len - ETH_HDR);
    } else if (type == ETHERTYPE_IP) {
        ip_input(frame, frame + ETH_HDR, len - ETH_HDR);
    }
}

int net_udp_send(uint32_t dst_ip, uint16_t dst_port, const uint8_t *payload, uint32_t len)
{
    const uint8_t *dst_mac = arp_lookup(dst_ip);
    if (dst_mac == 0 || len > UDP_PAYLOAD_MAX) {
        return 0;
    }
    /* udp_reply sends what sits after the headers of out_frame. */
    memmove(out_frame + ETH_HDR + IP_HDR + UDP_HDR, payload, len);
    udp_reply(dst_mac, dst_ip, dst_port, my_port, len);
    return 1;
}
