/* MUL/IMUL in every form, DIV/IDIV without faults, and the BCD adjustments. */
#include "cpucheck.h"

#define MUL_FLAGS (FL_CF | FL_OF)

static const uint32_t mul_pairs[][2] = {
    { 0x00000000, 0x12345678 }, { 0x00000003, 0x00000005 }, { 0x0000FFFF, 0x0000FFFF },
    { 0xFFFFFFFF, 0xFFFFFFFF }, { 0x80000000, 0x00000002 }, { 0x7FFFFFFF, 0x00000002 },
    { 0xFFFFFFFF, 0x00000001 }, { 0x12345678, 0x9ABCDEF0 }, { 0x00000080, 0x000000FF },
    { 0x00004000, 0x00000002 },
};

static void check_one_operand_multiply(uint32_t a, uint32_t b)
{
    uint32_t lo, hi, f;
    __asm__ volatile("mull %[b]\n\tpushfl\n\tpopl %[f]" : "=a"(lo), "=d"(hi), [f] "=r"(f) : "a"(a), [b] "r"(b) : "cc");
    kprintf("mul32 %08x,%08x: %08x:%08x f=%03x\n", a, b, hi, lo, f & MUL_FLAGS);
    __asm__ volatile("imull %[b]\n\tpushfl\n\tpopl %[f]" : "=a"(lo), "=d"(hi), [f] "=r"(f) : "a"(a), [b] "r"(b) : "cc");
    kprintf("imul32 %08x,%08x: %08x:%08x f=%03x\n", a, b, hi, lo, f & MUL_FLAGS);
    __asm__ volatile("mulw %w[b]\n\tpushfl\n\tpopl %[f]" : "=a"(lo), "=d"(hi), [f] "=r"(f) : "a"(a), "d"(0xDEAD0000u), [b] "r"(b) : "cc");
    kprintf("mul16 %04x,%04x: %08x:%08x f=%03x\n", a & 0xFFFF, b & 0xFFFF, hi, lo, f & MUL_FLAGS);
    __asm__ volatile("imulw %w[b]\n\tpushfl\n\tpopl %[f]" : "=a"(lo), "=d"(hi), [f] "=r"(f) : "a"(a), "d"(0xDEAD0000u), [b] "r"(b) : "cc");
    kprintf("imul16 %04x,%04x: %08x:%08x f=%03x\n", a & 0xFFFF, b & 0xFFFF, hi, lo, f & MUL_FLAGS);
    __asm__ volatile("mulb %b[b]\n\tpushfl\n\tpopl %[f]" : "=a"(lo), [f] "=r"(f) : "a"(a), [b] "q"(b) : "cc");
    kprintf("mul8 %02x,%02x: %08x f=%03x\n", a & 0xFF, b & 0xFF, lo, f & MUL_FLAGS);
    __asm__ volatile("imulb %b[b]\n\tpushfl\n\tpopl %[f]" : "=a"(lo), [f] "=r"(f) : "a"(a), [b] "q"(b) : "cc");
    kprintf("imul8 %02x,%02x: %08x f=%03x\n", a & 0xFF, b & 0xFF, lo, f & MUL_FLAGS);

    uint32_t r = a;
    __asm__ volatile("imull %[b], %[r]\n\tpushfl\n\tpopl %[f]" : [r] "+r"(r), [f] "=r"(f) : [b] "r"(b) : "cc");
    kprintf("imul32 r,rm %08x,%08x: %08x f=%03x\n", a, b, r, f & MUL_FLAGS);
    r = a;
    __asm__ volatile("imulw %w[b], %w[r]\n\tpushfl\n\tpopl %[f]" : [r] "+r"(r), [f] "=r"(f) : [b] "r"(b) : "cc");
    kprintf("imul16 r,rm %04x,%04x: %08x f=%03x\n", a & 0xFFFF, b & 0xFFFF, r, f & MUL_FLAGS);
    __asm__ volatile("imull $-3, %[a], %[r]\n\tpushfl\n\tpopl %[f]" : [r] "=r"(r), [f] "=r"(f) : [a] "r"(a) : "cc");
    kprintf("imul32 r,rm,imm8 %08x,-3: %08x f=%03x\n", a, r, f & MUL_FLAGS);
    __asm__ volatile("imull $0x12345, %[a], %[r]\n\tpushfl\n\tpopl %[f]" : [r] "=r"(r), [f] "=r"(f) : [a] "r"(a) : "cc");
    kprintf("imul32 r,rm,imm32 %08x,12345: %08x f=%03x\n", a, r, f & MUL_FLAGS);
}

struct division {
    uint32_t hi, lo, divisor;
};

static const struct division divisions[] = {
    { 0, 100, 7 }, { 0, 0xFFFFFFFF, 0x10 }, { 0x00000001, 0x00000000, 0x00000002 },
    { 0x7FFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF }, { 0xFFFFFFFF, 0xFFFFFF9C, 0x00000007 }, /* -100 / 7 */
    { 0x00000000, 0x00000064, 0xFFFFFFF9 }, /* 100 / -7 */
    { 0xFFFFFFFF, 0x80000000, 0xFFFFFFFF }, /* -2^31 / -1 overflows for IDIV: skipped there */
};

static void check_divisions(void)
{
    for (size_t i = 0; i < sizeof(divisions) / sizeof(divisions[0]); i++) {
        const struct division *d = &divisions[i];
        uint32_t q, r;
        if (d->hi < d->divisor) {
            __asm__ volatile("divl %[s]" : "=a"(q), "=d"(r) : "a"(d->lo), "d"(d->hi), [s] "r"(d->divisor) : "cc");
            kprintf("div32 %08x:%08x/%08x: q=%08x r=%08x\n", d->hi, d->lo, d->divisor, q, r);
        }
        int64_t dividend = (int64_t)(((uint64_t)d->hi << 32) | d->lo);
        int32_t divisor = (int32_t)d->divisor;
        int64_t quotient = divisor == 0 ? 0 : dividend / divisor;
        if (quotient >= -2147483647LL - 1 && quotient <= 2147483647LL) {
            __asm__ volatile("idivl %[s]" : "=a"(q), "=d"(r) : "a"(d->lo), "d"(d->hi), [s] "r"(d->divisor) : "cc");
            kprintf("idiv32 %08x:%08x/%08x: q=%08x r=%08x\n", d->hi, d->lo, d->divisor, q, r);
        }
    }
    uint32_t q, r;
    __asm__ volatile("divw %w[s]" : "=a"(q), "=d"(r) : "a"(0xAAAA1234u), "d"(0xBBBB0012u), [s] "r"(0x1000u) : "cc");
    kprintf("div16 0012:1234/1000: ax=%08x dx=%08x\n", q, r);
    __asm__ volatile("idivw %w[s]" : "=a"(q), "=d"(r) : "a"(0xAAAAFF00u), "d"(0xBBBBFFFFu), [s] "r"(0x0007u) : "cc");
    kprintf("idiv16 ffff:ff00/0007: ax=%08x dx=%08x\n", q, r);
    __asm__ volatile("divb %b[s]" : "=a"(q) : "a"(0xAAAA03E8u), [s] "q"(0x0Du) : "cc");
    kprintf("div8 03e8/0d: ax=%08x\n", q);
    __asm__ volatile("idivb %b[s]" : "=a"(q) : "a"(0xAAAAFF9Cu), [s] "q"(0x07u) : "cc");
    kprintf("idiv8 ff9c/07: ax=%08x\n", q);
}

#define DEFINE_AL_ADJUST(mn)                                                                       \
    static uint32_t mn##_run(uint32_t ax, uint32_t fi, uint32_t *fo)                               \
    {                                                                                              \
        uint32_t f;                                                                                \
        __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" #mn "\n\tpushfl\n\tpopl %[fo]"                 \
                         : "+a"(ax), [fo] "=&r"(f) : [fi] "r"(fi) : "cc");                         \
        *fo = f;                                                                                   \
        return ax;                                                                                 \
    }

DEFINE_AL_ADJUST(daa)
DEFINE_AL_ADJUST(das)
DEFINE_AL_ADJUST(aaa)
DEFINE_AL_ADJUST(aas)

static void check_bcd(void)
{
    static const uint8_t values[] = { 0x00, 0x09, 0x0A, 0x0F, 0x19, 0x1A, 0x5F, 0x99, 0x9A, 0xA0, 0xF9, 0xFF };
    /* Input flag combinations: none, AF, CF, AF+CF. */
    static const uint32_t flag_inputs[] = { 0x002, 0x002 | FL_AF, 0x002 | FL_CF, 0x002 | FL_AF | FL_CF };
    struct {
        const char *name;
        uint32_t (*fn)(uint32_t, uint32_t, uint32_t *);
        uint32_t defined;
    } ops[] = {
        { "daa", daa_run, FL_CF | FL_AF | FL_SF | FL_ZF | FL_PF },
        { "das", das_run, FL_CF | FL_AF | FL_SF | FL_ZF | FL_PF },
        { "aaa", aaa_run, FL_CF | FL_AF },
        { "aas", aas_run, FL_CF | FL_AF },
    };
    for (size_t o = 0; o < 4; o++) {
        for (size_t v = 0; v < sizeof(values); v++) {
            kprintf("%s al=%02x:", ops[o].name, values[v]);
            for (size_t i = 0; i < 4; i++) {
                uint32_t f;
                /* AH is only meaningful to AAA/AAS; give it a recognisable value. */
                uint32_t ax = ops[o].fn(0x1200u | values[v], flag_inputs[i], &f);
                kprintf(" %04x/%03x", ax & 0xFFFF, f & ops[o].defined);
            }
            kprintf("\n");
        }
    }
    static const uint16_t aam_inputs[] = { 0x0000, 0x0063, 0x00FF, 0x1234 };
    for (size_t i = 0; i < sizeof(aam_inputs) / sizeof(aam_inputs[0]); i++) {
        uint32_t ax10 = aam_inputs[i], ax16 = aam_inputs[i], ad10 = aam_inputs[i], ad16 = aam_inputs[i];
        uint32_t f10, f16, g10, g16;
        __asm__ volatile("aam\n\tpushfl\n\tpopl %1" : "+a"(ax10), "=r"(f10) : : "cc");
        __asm__ volatile("aam $16\n\tpushfl\n\tpopl %1" : "+a"(ax16), "=r"(f16) : : "cc");
        __asm__ volatile("aad\n\tpushfl\n\tpopl %1" : "+a"(ad10), "=r"(g10) : : "cc");
        __asm__ volatile("aad $16\n\tpushfl\n\tpopl %1" : "+a"(ad16), "=r"(g16) : : "cc");
        uint32_t m = FL_SF | FL_ZF | FL_PF;
        kprintf("aam/aad ax=%04x: %04x/%03x %04x/%03x %04x/%03x %04x/%03x\n", aam_inputs[i],
                ax10 & 0xFFFF, f10 & m, ax16 & 0xFFFF, f16 & m, ad10 & 0xFFFF, g10 & m, ad16 & 0xFFFF, g16 & m);
    }
}

void check_muldiv_bcd(void)
{
    for (size_t i = 0; i < sizeof(mul_pairs) / sizeof(mul_pairs[0]); i++) {
        check_one_operand_multiply(mul_pairs[i][0], mul_pairs[i][1]);
    }
    check_divisions();
    check_bcd();
}
