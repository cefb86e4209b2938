/*
 * Two-operand ALU instructions, INC/DEC/NEG/NOT, shifts, rotates, SHLD/SHRD: results and the
 * flags the SDM defines for each (undefined flags are masked out before printing).
 */
#include "cpucheck.h"

typedef uint32_t (*binop_fn)(uint32_t d, uint32_t s, uint32_t flags_in, uint32_t *flags_out);

#define FLAGS_IN "pushl %[fi]\n\tpopfl\n\t"
#define FLAGS_OUT "\n\tpushfl\n\tpopl %[fo]"

#define DEFINE_BINOP(mn)                                                                           \
    static uint32_t mn##32(uint32_t d, uint32_t s, uint32_t fi, uint32_t *fo)                      \
    {                                                                                              \
        uint32_t f;                                                                                \
        __asm__ volatile(FLAGS_IN #mn "l %[s], %[d]" FLAGS_OUT                                     \
                         : [d] "+r"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");          \
        *fo = f;                                                                                   \
        return d;                                                                                  \
    }                                                                                              \
    static uint32_t mn##16(uint32_t d, uint32_t s, uint32_t fi, uint32_t *fo)                      \
    {                                                                                              \
        uint32_t f;                                                                                \
        __asm__ volatile(FLAGS_IN #mn "w %w[s], %w[d]" FLAGS_OUT                                   \
                         : [d] "+r"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");          \
        *fo = f;                                                                                   \
        return d & 0xFFFF;                                                                         \
    }                                                                                              \
    static uint32_t mn##8(uint32_t d, uint32_t s, uint32_t fi, uint32_t *fo)                       \
    {                                                                                              \
        uint32_t f;                                                                                \
        __asm__ volatile(FLAGS_IN #mn "b %b[s], %b[d]" FLAGS_OUT                                   \
                         : [d] "+q"(d), [fo] "=&r"(f) : [s] "q"(s), [fi] "r"(fi) : "cc");          \
        *fo = f;                                                                                   \
        return d & 0xFF;                                                                           \
    }

DEFINE_BINOP(add)
DEFINE_BINOP(adc)
DEFINE_BINOP(sub)
DEFINE_BINOP(sbb)
DEFINE_BINOP(and)
DEFINE_BINOP(or)
DEFINE_BINOP(xor)
DEFINE_BINOP(cmp)
DEFINE_BINOP(test)

/* Unary operations reuse the binop shape and ignore the source. */
#define DEFINE_UNOP(mn)                                                                            \
    static uint32_t mn##32(uint32_t d, uint32_t s, uint32_t fi, uint32_t *fo)                      \
    {                                                                                              \
        uint32_t f;                                                                                \
        (void)s;                                                                                   \
        __asm__ volatile(FLAGS_IN #mn "l %[d]" FLAGS_OUT : [d] "+r"(d), [fo] "=&r"(f)              \
                         : [fi] "r"(fi) : "cc");                                                   \
        *fo = f;                                                                                   \
        return d;                                                                                  \
    }                                                                                              \
    static uint32_t mn##8(uint32_t d, uint32_t s, uint32_t fi, uint32_t *fo)                       \
    {                                                                                              \
        uint32_t f;                                                                                \
        (void)s;                                                                                   \
        __asm__ volatile(FLAGS_IN #mn "b %b[d]" FLAGS_OUT : [d] "+q"(d), [fo] "=&r"(f)             \
                         : [fi] "r"(fi) : "cc");                                                   \
        *fo = f;                                                                                   \
        return d & 0xFF;                                                                           \
    }

DEFINE_UNOP(inc)
DEFINE_UNOP(dec)
DEFINE_UNOP(neg)
DEFINE_UNOP(not)

struct binop {
    const char *name;
    binop_fn fn;
    uint32_t defined_flags;
};

static const struct binop binops[] = {
    { "add32", add32, FL_ALL }, { "add16", add16, FL_ALL }, { "add8", add8, FL_ALL },
    { "adc32", adc32, FL_ALL }, { "adc16", adc16, FL_ALL }, { "adc8", adc8, FL_ALL },
    { "sub32", sub32, FL_ALL }, { "sub16", sub16, FL_ALL }, { "sub8", sub8, FL_ALL },
    { "sbb32", sbb32, FL_ALL }, { "sbb16", sbb16, FL_ALL }, { "sbb8", sbb8, FL_ALL },
    { "cmp32", cmp32, FL_ALL }, { "cmp16", cmp16, FL_ALL }, { "cmp8", cmp8, FL_ALL },
    /* Logic operations leave AF undefined. */
    { "and32", and32, FL_ALL & ~FL_AF }, { "and16", and16, FL_ALL & ~FL_AF }, { "and8", and8, FL_ALL & ~FL_AF },
    { "or32", or32, FL_ALL & ~FL_AF }, { "or16", or16, FL_ALL & ~FL_AF }, { "or8", or8, FL_ALL & ~FL_AF },
    { "xor32", xor32, FL_ALL & ~FL_AF }, { "xor16", xor16, FL_ALL & ~FL_AF }, { "xor8", xor8, FL_ALL & ~FL_AF },
    { "test32", test32, FL_ALL & ~FL_AF }, { "test16", test16, FL_ALL & ~FL_AF }, { "test8", test8, FL_ALL & ~FL_AF },
};

static const struct binop unops[] = {
    { "inc32", inc32, FL_ALL }, { "inc8", inc8, FL_ALL }, { "dec32", dec32, FL_ALL },
    { "dec8", dec8, FL_ALL },   { "neg32", neg32, FL_ALL }, { "neg8", neg8, FL_ALL },
    { "not32", not32, FL_ALL }, { "not8", not8, FL_ALL },
};

static const uint32_t operand_pairs[][2] = {
    { 0x00000000, 0x00000000 }, { 0x00000001, 0x00000001 }, { 0x7FFFFFFF, 0x00000001 },
    { 0x80000000, 0x80000000 }, { 0xFFFFFFFF, 0x00000001 }, { 0x12345678, 0x9ABCDEF0 },
    { 0x80000000, 0x00000001 }, { 0x00000000, 0x00000001 }, { 0x0000000F, 0x00000001 },
    { 0xFFFFFFFF, 0xFFFFFFFF }, { 0x00007FFF, 0x00008000 }, { 0x0000007F, 0x00000080 },
};

/* Every check runs once with all arithmetic flags clear and once with all set (CF=1 for ADC/SBB). */
#define FLAGS_CLEAR 0x002u
#define FLAGS_SET (0x002u | FL_ALL)

/* Unary operations take the first value of each pair and print only that one. */
static void run_binops(const struct binop *ops, size_t count, int pairs, int unary)
{
    for (size_t i = 0; i < count; i++) {
        for (int p = 0; p < pairs; p++) {
            uint32_t a = operand_pairs[p][0], b = operand_pairs[p][1];
            uint32_t f0, f1;
            uint32_t r0 = ops[i].fn(a, b, FLAGS_CLEAR, &f0);
            uint32_t r1 = ops[i].fn(a, b, FLAGS_SET, &f1);
            if (unary) {
                kprintf("%s %08x: %08x f=%03x | %08x f=%03x\n", ops[i].name, a, r0, f0 & ops[i].defined_flags,
                        r1, f1 & ops[i].defined_flags);
            } else {
                kprintf("%s %08x,%08x: %08x f=%03x | %08x f=%03x\n", ops[i].name, a, b, r0,
                        f0 & ops[i].defined_flags, r1, f1 & ops[i].defined_flags);
            }
        }
    }
}

/* Shifts and rotates by CL; `sh8` variants shift AL-sized operands. */
#define DEFINE_SHIFT(mn)                                                                           \
    static uint32_t mn##32_cl(uint32_t d, uint32_t count, uint32_t fi, uint32_t *fo)               \
    {                                                                                              \
        uint32_t f;                                                                                \
        __asm__ volatile(FLAGS_IN #mn "l %%cl, %[d]" FLAGS_OUT : [d] "+r"(d), [fo] "=&r"(f)        \
                         : "c"(count), [fi] "r"(fi) : "cc");                                       \
        *fo = f;                                                                                   \
        return d;                                                                                  \
    }                                                                                              \
    static uint32_t mn##8_cl(uint32_t d, uint32_t count, uint32_t fi, uint32_t *fo)                \
    {                                                                                              \
        uint32_t f;                                                                                \
        __asm__ volatile(FLAGS_IN #mn "b %%cl, %b[d]" FLAGS_OUT : [d] "+q"(d), [fo] "=&r"(f)       \
                         : "c"(count), [fi] "r"(fi) : "cc");                                       \
        *fo = f;                                                                                   \
        return d & 0xFF;                                                                           \
    }                                                                                              \
    static uint32_t mn##32_one(uint32_t d, uint32_t count, uint32_t fi, uint32_t *fo)              \
    {                                                                                              \
        uint32_t f;                                                                                \
        (void)count;                                                                               \
        __asm__ volatile(FLAGS_IN #mn "l %[d]" FLAGS_OUT : [d] "+r"(d), [fo] "=&r"(f)              \
                         : [fi] "r"(fi) : "cc");                                                   \
        *fo = f;                                                                                   \
        return d;                                                                                  \
    }                                                                                              \
    static uint32_t mn##32_imm5(uint32_t d, uint32_t count, uint32_t fi, uint32_t *fo)             \
    {                                                                                              \
        uint32_t f;                                                                                \
        (void)count;                                                                               \
        __asm__ volatile(FLAGS_IN #mn "l $5, %[d]" FLAGS_OUT : [d] "+r"(d), [fo] "=&r"(f)          \
                         : [fi] "r"(fi) : "cc");                                                   \
        *fo = f;                                                                                   \
        return d;                                                                                  \
    }

DEFINE_SHIFT(shl)
DEFINE_SHIFT(shr)
DEFINE_SHIFT(sar)
DEFINE_SHIFT(rol)
DEFINE_SHIFT(ror)
DEFINE_SHIFT(rcl)
DEFINE_SHIFT(rcr)

struct shift {
    const char *name;
    binop_fn by_cl, by_cl8, by_one, by_imm5;
    int rotate;
};

static const struct shift shifts[] = {
    { "shl", shl32_cl, shl8_cl, shl32_one, shl32_imm5, 0 },
    { "shr", shr32_cl, shr8_cl, shr32_one, shr32_imm5, 0 },
    { "sar", sar32_cl, sar8_cl, sar32_one, sar32_imm5, 0 },
    { "rol", rol32_cl, rol8_cl, rol32_one, rol32_imm5, 1 },
    { "ror", ror32_cl, ror8_cl, ror32_one, ror32_imm5, 1 },
    { "rcl", rcl32_cl, rcl8_cl, rcl32_one, rcl32_imm5, 1 },
    { "rcr", rcr32_cl, rcr8_cl, rcr32_one, rcr32_imm5, 1 },
};

/*
 * Defined flags after a shift/rotate by a non-zero masked count: shifts define SF/ZF/PF/CF (AF is
 * undefined), rotates touch only CF (and OF), leaving the others as they were. OF is defined only
 * for a count of one. A zero count leaves every flag alone.
 */
static uint32_t shift_flags(const struct shift *s, uint32_t masked_count)
{
    if (masked_count == 0) {
        return FL_ALL;
    }
    uint32_t mask = s->rotate ? (FL_ALL & ~FL_OF) : (FL_CF | FL_PF | FL_ZF | FL_SF);
    return masked_count == 1 ? mask | FL_OF : mask;
}

static const uint32_t shift_values[] = { 0x80000001, 0x12345678, 0xFFFFFFFF, 0x40000000 };
static const uint32_t shift_counts[] = { 0, 1, 4, 31, 32, 33 };
static const uint8_t shift_values8[] = { 0x81, 0x5A };
static const uint32_t shift_counts8[] = { 1, 3, 7 };

static void run_one_shift(const char *label, binop_fn fn, uint32_t value, uint32_t count, uint32_t mask)
{
    uint32_t f0, f1;
    uint32_t r0 = fn(value, count, FLAGS_CLEAR, &f0);
    uint32_t r1 = fn(value, count, FLAGS_SET, &f1);
    kprintf("%s %08x,%u: %08x f=%03x | %08x f=%03x\n", label, value, count, r0, f0 & mask, r1, f1 & mask);
}

static void run_shifts(void)
{
    char label[16];
    for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
        const struct shift *s = &shifts[i];
        for (size_t v = 0; v < sizeof(shift_values) / sizeof(shift_values[0]); v++) {
            for (size_t c = 0; c < sizeof(shift_counts) / sizeof(shift_counts[0]); c++) {
                uint32_t masked = shift_counts[c] & 31;
                memcpy(label, s->name, 3);
                memcpy(label + 3, "32cl", 5);
                run_one_shift(label, s->by_cl, shift_values[v], shift_counts[c], shift_flags(s, masked));
            }
            memcpy(label + 3, "32one", 6);
            run_one_shift(label, s->by_one, shift_values[v], 1, shift_flags(s, 1));
            memcpy(label + 3, "32imm", 6);
            run_one_shift(label, s->by_imm5, shift_values[v], 5, shift_flags(s, 5));
        }
        for (size_t v = 0; v < sizeof(shift_values8); v++) {
            for (size_t c = 0; c < sizeof(shift_counts8) / sizeof(shift_counts8[0]); c++) {
                memcpy(label, s->name, 3);
                memcpy(label + 3, "8cl", 4);
                run_one_shift(label, s->by_cl8, shift_values8[v], shift_counts8[c],
                              shift_flags(s, shift_counts8[c]));
            }
        }
    }
}

static uint32_t shld_cl(uint32_t d, uint32_t s, uint32_t count, uint32_t fi, uint32_t *fo)
{
    uint32_t f;
    __asm__ volatile(FLAGS_IN "shldl %%cl, %[s], %[d]" FLAGS_OUT
                     : [d] "+r"(d), [fo] "=&r"(f) : [s] "r"(s), "c"(count), [fi] "r"(fi) : "cc");
    *fo = f;
    return d;
}

static uint32_t shrd_cl(uint32_t d, uint32_t s, uint32_t count, uint32_t fi, uint32_t *fo)
{
    uint32_t f;
    __asm__ volatile(FLAGS_IN "shrdl %%cl, %[s], %[d]" FLAGS_OUT
                     : [d] "+r"(d), [fo] "=&r"(f) : [s] "r"(s), "c"(count), [fi] "r"(fi) : "cc");
    *fo = f;
    return d;
}

static uint32_t shld_imm(uint32_t d, uint32_t s, uint32_t fi, uint32_t *fo)
{
    uint32_t f;
    __asm__ volatile(FLAGS_IN "shldl $12, %[s], %[d]" FLAGS_OUT
                     : [d] "+r"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
    *fo = f;
    return d;
}

static uint32_t shrd_imm(uint32_t d, uint32_t s, uint32_t fi, uint32_t *fo)
{
    uint32_t f;
    __asm__ volatile(FLAGS_IN "shrdl $12, %[s], %[d]" FLAGS_OUT
                     : [d] "+r"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
    *fo = f;
    return d;
}

static uint32_t shld16_cl(uint32_t d, uint32_t s, uint32_t count, uint32_t fi, uint32_t *fo)
{
    uint32_t f;
    __asm__ volatile(FLAGS_IN "shldw %%cl, %w[s], %w[d]" FLAGS_OUT
                     : [d] "+r"(d), [fo] "=&r"(f) : [s] "r"(s), "c"(count), [fi] "r"(fi) : "cc");
    *fo = f;
    return d & 0xFFFF;
}

static void run_double_shifts(void)
{
    static const uint32_t counts[] = { 0, 1, 4, 16, 31 };
    static const uint32_t pairs[][2] = { { 0x12345678, 0x9ABCDEF0 }, { 0x80000001, 0x00000003 } };
    for (size_t p = 0; p < 2; p++) {
        uint32_t d = pairs[p][0], s = pairs[p][1];
        for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
            uint32_t mask = counts[c] == 0 ? FL_ALL
                            : counts[c] == 1 ? (FL_CF | FL_PF | FL_ZF | FL_SF | FL_OF)
                                             : (FL_CF | FL_PF | FL_ZF | FL_SF);
            uint32_t f0, f1;
            uint32_t r0 = shld_cl(d, s, counts[c], FLAGS_CLEAR, &f0);
            uint32_t r1 = shrd_cl(d, s, counts[c], FLAGS_CLEAR, &f1);
            kprintf("shld/shrd %08x,%08x,%u: %08x f=%03x | %08x f=%03x\n", d, s, counts[c], r0,
                    f0 & mask, r1, f1 & mask);
        }
        uint32_t f0, f1;
        uint32_t r0 = shld_imm(d, s, FLAGS_SET, &f0);
        uint32_t r1 = shrd_imm(d, s, FLAGS_SET, &f1);
        uint32_t mask = FL_CF | FL_PF | FL_ZF | FL_SF;
        kprintf("shld/shrd %08x,%08x,imm12: %08x f=%03x | %08x f=%03x\n", d, s, r0, f0 & mask, r1, f1 & mask);
        r0 = shld16_cl(d, s, 5, FLAGS_CLEAR, &f0);
        kprintf("shld16 %04x,%04x,5: %04x f=%03x\n", d & 0xFFFF, s & 0xFFFF, r0, f0 & mask);
    }
}

void check_alu(void)
{
    int pairs = sizeof(operand_pairs) / sizeof(operand_pairs[0]);
    run_binops(binops, sizeof(binops) / sizeof(binops[0]), pairs, 0);
    run_binops(unops, sizeof(unops) / sizeof(unops[0]), pairs, 1);
    run_shifts();
    run_double_shifts();
}
