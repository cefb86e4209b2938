/* Bit tests and scans, SETcc/CMOVcc, BSWAP, XADD, CMPXCHG, CMPXCHG8B, MOVZX/MOVSX. */
#include "cpucheck.h"

#define DEFINE_BT(mn)                                                                              \
    static uint32_t mn##_reg(uint32_t d, uint32_t bit, uint32_t *cf)                               \
    {                                                                                              \
        uint32_t f;                                                                                \
        __asm__ volatile(#mn "l %[b], %[d]\n\tpushfl\n\tpopl %[f]" : [d] "+r"(d), [f] "=r"(f)      \
                         : [b] "r"(bit) : "cc");                                                   \
        *cf = f & FL_CF;                                                                           \
        return d;                                                                                  \
    }                                                                                              \
    static uint32_t mn##_imm(uint32_t d, uint32_t *cf)                                             \
    {                                                                                              \
        uint32_t f;                                                                                \
        __asm__ volatile(#mn "l $35, %[d]\n\tpushfl\n\tpopl %[f]" : [d] "+r"(d), [f] "=r"(f)       \
                         : : "cc");                                                                \
        *cf = f & FL_CF;                                                                           \
        return d;                                                                                  \
    }                                                                                              \
    static void mn##_mem(uint32_t *base, int32_t bit, uint32_t *cf)                                \
    {                                                                                              \
        uint32_t f;                                                                                \
        __asm__ volatile(#mn "l %[b], (%[p])\n\tpushfl\n\tpopl %[f]" : [f] "=r"(f)                 \
                         : [b] "r"(bit), [p] "r"(base) : "cc", "memory");                          \
        *cf = f & FL_CF;                                                                           \
    }

DEFINE_BT(bt)
DEFINE_BT(bts)
DEFINE_BT(btr)
DEFINE_BT(btc)

static void check_bit_tests(void)
{
    struct {
        const char *name;
        uint32_t (*reg)(uint32_t, uint32_t, uint32_t *);
        uint32_t (*imm)(uint32_t, uint32_t *);
        void (*mem)(uint32_t *, int32_t, uint32_t *);
    } ops[] = {
        { "bt", bt_reg, bt_imm, bt_mem },
        { "bts", bts_reg, bts_imm, bts_mem },
        { "btr", btr_reg, btr_imm, btr_mem },
        { "btc", btc_reg, btc_imm, btc_mem },
    };
    static const uint32_t bits[] = { 0, 3, 31, 36 };
    for (size_t o = 0; o < 4; o++) {
        kprintf("%s reg 0x0000000a:", ops[o].name);
        for (size_t b = 0; b < 4; b++) {
            uint32_t cf;
            uint32_t r = ops[o].reg(0x0000000A, bits[b], &cf);
            kprintf(" [%u]=%08x/%u", bits[b], r, cf);
        }
        uint32_t cf;
        uint32_t r = ops[o].imm(0x0000000F, &cf);
        kprintf(" imm35(0xf)=%08x/%u\n", r, cf);

        /* A register bit offset addresses memory as a bit string, also below the base. */
        uint32_t words[4] = { 0x11111111, 0x22222222, 0x44444444, 0x88888888 };
        static const int32_t offsets[] = { 1, 33, -61, -27, -1 };
        kprintf("%s mem:", ops[o].name);
        for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
            ops[o].mem(&words[2], offsets[i], &cf);
            kprintf(" [%d]/%u", offsets[i], cf);
        }
        kprintf(" -> %08x %08x %08x %08x\n", words[0], words[1], words[2], words[3]);
    }
}

static void check_bit_scans(void)
{
    static const uint32_t values[] = { 1, 0x80000000, 0x00F0F000, 0xFFFFFFFF, 0 };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        uint32_t f_forward, f_reverse;
        /* The destination is left untouched for a zero source on every CPU we care about, but
           the SDM calls it undefined, so it starts equal to the source's marker and is only printed
           when ZF says the scan found a bit. */
        uint32_t forward = 0xDEAD, reverse = 0xDEAD;
        __asm__ volatile("bsfl %[s], %[d]\n\tpushfl\n\tpopl %[f]" : [d] "+r"(forward), [f] "=r"(f_forward) : [s] "r"(values[i]) : "cc");
        __asm__ volatile("bsrl %[s], %[d]\n\tpushfl\n\tpopl %[f]" : [d] "+r"(reverse), [f] "=r"(f_reverse) : [s] "r"(values[i]) : "cc");
        if (values[i] != 0) {
            kprintf("bsf/bsr %08x: %u zf=%u %u zf=%u\n", values[i], forward, (f_forward & FL_ZF) != 0, reverse,
                    (f_reverse & FL_ZF) != 0);
        } else {
            kprintf("bsf/bsr 0: zf=%u zf=%u\n", (f_forward & FL_ZF) != 0, (f_reverse & FL_ZF) != 0);
        }
        uint32_t f16;
        uint32_t w = 0xDEAD;
        __asm__ volatile("bsfw %w[s], %w[d]\n\tpushfl\n\tpopl %[f]" : [d] "+r"(w), [f] "=r"(f16) : [s] "r"(values[i] >> 4) : "cc");
        if ((values[i] >> 4) & 0xFFFF) {
            kprintf("bsf16 %04x: %08x\n", (values[i] >> 4) & 0xFFFF, w);
        }
    }
}

/* The shift that collects each result changes the flags, so they are reloaded before every test. */
#define SETCC(cc) "pushl %[fi]\n\tpopfl\n\tset" #cc " %%al\n\tshll $1, %[m]\n\torb %%al, %b[m]\n\t"
#define CMOVCC(cc) "movl $0, %%eax\n\tpushl %[fi]\n\tpopfl\n\tcmov" #cc "l %[one], %%eax\n\tshll $1, %[m]\n\torl %%eax, %[m]\n\t"

/* Bit 15 of the mask is condition 0 (O), bit 0 is condition 15 (G). */
static uint32_t setcc_mask(uint32_t flags)
{
    uint32_t mask = 0;
    __asm__ volatile(SETCC(o) SETCC(no) SETCC(b) SETCC(ae) SETCC(e) SETCC(ne) SETCC(be) SETCC(a)
                     SETCC(s) SETCC(ns) SETCC(p) SETCC(np) SETCC(l) SETCC(ge) SETCC(le) SETCC(g)
                     : [m] "+q"(mask) : [fi] "r"(flags) : "eax", "cc");
    return mask;
}

static uint32_t cmovcc_mask(uint32_t flags)
{
    uint32_t mask = 0;
    uint32_t one = 1;
    __asm__ volatile(CMOVCC(o) CMOVCC(no) CMOVCC(b) CMOVCC(ae) CMOVCC(e) CMOVCC(ne) CMOVCC(be) CMOVCC(a)
                     CMOVCC(s) CMOVCC(ns) CMOVCC(p) CMOVCC(np) CMOVCC(l) CMOVCC(ge) CMOVCC(le) CMOVCC(g)
                     : [m] "+r"(mask) : [fi] "r"(flags), [one] "r"(one) : "eax", "cc");
    return mask;
}

static void check_conditions(void)
{
    static const uint32_t flag_bits[] = { FL_CF, FL_PF, FL_ZF, FL_SF, FL_OF };
    for (uint32_t combo = 0; combo < 32; combo++) {
        uint32_t flags = 0x002;
        for (int b = 0; b < 5; b++) {
            if (combo & (1u << b)) {
                flags |= flag_bits[b];
            }
        }
        /* SETcc/CMOVcc must not change flags; prove it by re-reading them afterwards. */
        uint32_t after;
        uint32_t set = setcc_mask(flags);
        __asm__ volatile("pushl %[fi]\n\tpopfl\n\tsete %%al\n\tpushfl\n\tpopl %[fo]" : [fo] "=r"(after) : [fi] "r"(flags) : "eax", "cc");
        kprintf("cc flags=%03x: setcc=%04x cmovcc=%04x kept=%03x\n", flags & FL_ALL, set, cmovcc_mask(flags),
                after & FL_ALL);
    }
}

static void check_exchange_ops(void)
{
    static const uint32_t values[] = { 0x12345678, 0x80000000, 0x000000FF };
    for (size_t i = 0; i < 3; i++) {
        uint32_t v = values[i];
        __asm__ volatile("bswapl %0" : "+r"(v));
        kprintf("bswap %08x: %08x\n", values[i], v);
    }

    uint32_t mem = 0x7FFFFFFF, reg = 1, f;
    __asm__ volatile("xaddl %[r], %[m]\n\tpushfl\n\tpopl %[f]" : [r] "+r"(reg), [m] "+m"(mem), [f] "=r"(f) : : "cc");
    kprintf("xadd32 mem: mem=%08x reg=%08x f=%03x\n", mem, reg, f & FL_ALL);
    uint32_t a = 0xFF, b = 0x01;
    __asm__ volatile("xaddb %b[b], %b[a]\n\tpushfl\n\tpopl %[f]" : [a] "+q"(a), [b] "+q"(b), [f] "=r"(f) : : "cc");
    kprintf("xadd8 reg: dst=%08x src=%08x f=%03x\n", a, b, f & FL_ALL);

    uint32_t dest = 0x1111, expected = 0x1111, replacement = 0x2222;
    __asm__ volatile("lock cmpxchgl %[n], %[m]\n\tpushfl\n\tpopl %[f]" : "+a"(expected), [m] "+m"(dest), [f] "=r"(f) : [n] "r"(replacement) : "cc");
    kprintf("cmpxchg32 equal: mem=%08x eax=%08x f=%03x\n", dest, expected, f & FL_ALL);
    expected = 0x3333;
    __asm__ volatile("cmpxchgl %[n], %[m]\n\tpushfl\n\tpopl %[f]" : "+a"(expected), [m] "+m"(dest), [f] "=r"(f) : [n] "r"(replacement) : "cc");
    kprintf("cmpxchg32 differ: mem=%08x eax=%08x f=%03x\n", dest, expected, f & FL_ALL);
    uint32_t d8 = 0x80, e8 = 0x7F;
    __asm__ volatile("cmpxchgb %b[n], %b[d]\n\tpushfl\n\tpopl %[f]" : "+a"(e8), [d] "+q"(d8), [f] "=r"(f) : [n] "q"(0x55u) : "cc");
    kprintf("cmpxchg8 differ: dst=%08x eax=%08x f=%03x\n", d8, e8, f & FL_ALL);

    uint64_t qword = 0x1122334455667788ull;
    uint32_t lo = 0x55667788, hi = 0x11223344;
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\tlock cmpxchg8b %[m]\n\tpushfl\n\tpopl %[f]"
                     : "+a"(lo), "+d"(hi), [m] "+m"(qword), [f] "=r"(f)
                     : "b"(0xAABBCCDDu), "c"(0x99887766u), [fi] "r"(0x002u | FL_CF) : "cc");
    kprintf("cmpxchg8b equal: mem=%08x%08x edx:eax=%08x:%08x f=%03x\n", (uint32_t)(qword >> 32), (uint32_t)qword,
            hi, lo, f & FL_ALL);
    lo = 0;
    hi = 0;
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\tcmpxchg8b %[m]\n\tpushfl\n\tpopl %[f]"
                     : "+a"(lo), "+d"(hi), [m] "+m"(qword), [f] "=r"(f)
                     : "b"(1u), "c"(2u), [fi] "r"(0x002u | FL_CF | FL_ZF) : "cc");
    kprintf("cmpxchg8b differ: mem=%08x%08x edx:eax=%08x:%08x f=%03x\n", (uint32_t)(qword >> 32), (uint32_t)qword,
            hi, lo, f & FL_ALL);
}

static void check_extensions(void)
{
    uint32_t src = 0x8081F2F3, zx8, sx8, zx16, sx16, sx8w;
    __asm__ volatile("movzbl %b1, %0" : "=r"(zx8) : "q"(src));
    __asm__ volatile("movsbl %b1, %0" : "=r"(sx8) : "q"(src));
    __asm__ volatile("movzwl %w1, %0" : "=r"(zx16) : "r"(src));
    __asm__ volatile("movswl %w1, %0" : "=r"(sx16) : "r"(src));
    sx8w = 0xAAAAAAAA;
    __asm__ volatile("movsbw %b1, %w0" : "+r"(sx8w) : "q"(src));
    kprintf("movzx/movsx %08x: %08x %08x %08x %08x %08x\n", src, zx8, sx8, zx16, sx16, sx8w);
    uint16_t mem16 = 0x7FFF;
    uint8_t mem8 = 0x7F;
    __asm__ volatile("movswl %1, %0" : "=r"(sx16) : "m"(mem16));
    __asm__ volatile("movsbl %1, %0" : "=r"(sx8) : "m"(mem8));
    kprintf("movsx mem 7fff/7f: %08x %08x\n", sx16, sx8);
}

void check_bits(void)
{
    check_bit_tests();
    check_bit_scans();
    check_conditions();
    check_exchange_ops();
    check_extensions();
}
