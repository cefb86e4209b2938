/* String instructions with REP in both directions, XLAT, LOOP/LOOPcc, ENTER/LEAVE, PUSHA/POPA. */
#include "cpucheck.h"

static uint8_t src_buf[64];
static uint8_t dst_buf[64];

/* Pointer and count registers after a string instruction, relative to where they started. */
struct string_regs {
    uint32_t ecx;
    int32_t esi_delta, edi_delta;
    uint32_t flags, eax;
};

static uint32_t buffer_sum(const uint8_t *p, size_t n)
{
    uint32_t h = 0;
    for (size_t i = 0; i < n; i++) {
        h = h * 31 + p[i];
    }
    return h;
}

static void reset_buffers(void)
{
    for (int i = 0; i < 64; i++) {
        src_buf[i] = (uint8_t)(i * 7 + 3);
        dst_buf[i] = 0xEE;
    }
}

#define STRING_OP(body, set_df, count, src, dst, eax_in, flags_in, regs)                           \
    do {                                                                                           \
        uint32_t c_ = (count), s_ = (uint32_t)(src), d_ = (uint32_t)(dst), a_ = (eax_in), f_;      \
        __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" set_df "\n\t" body "\n\tpushfl\n\tpopl %[fo]\n\tcld" \
                         : "+c"(c_), "+S"(s_), "+D"(d_), "+a"(a_), [fo] "=&r"(f_)                   \
                         : [fi] "r"(flags_in) : "cc", "memory");                                   \
        (regs).ecx = c_;                                                                           \
        (regs).esi_delta = (int32_t)(s_ - (uint32_t)(src));                                        \
        (regs).edi_delta = (int32_t)(d_ - (uint32_t)(dst));                                        \
        (regs).flags = f_;                                                                         \
        (regs).eax = a_;                                                                           \
    } while (0)

static void report(const char *name, const struct string_regs *r, uint32_t flag_mask)
{
    kprintf("%s: ecx=%u esi=%d edi=%d eax=%08x f=%03x dst=%08x\n", name, r->ecx, r->esi_delta, r->edi_delta,
            r->eax, r->flags & flag_mask, buffer_sum(dst_buf, sizeof(dst_buf)));
}

static void check_string_ops(void)
{
    struct string_regs r;
    reset_buffers();
    STRING_OP("rep movsb", "cld", 13, src_buf + 2, dst_buf + 1, 0, 0x002, r);
    report("rep movsb fwd", &r, 0);
    reset_buffers();
    STRING_OP("rep movsl", "std", 5, src_buf + 40, dst_buf + 44, 0, 0x002, r);
    report("rep movsd back", &r, 0);
    reset_buffers();
    STRING_OP("rep movsw", "cld", 0, src_buf, dst_buf, 0, 0x002 | FL_ALL, r);
    report("rep movsw ecx=0", &r, FL_ALL);
    reset_buffers();
    STRING_OP("rep stosw", "cld", 7, src_buf, dst_buf + 3, 0xA1B2C3D4, 0x002, r);
    report("rep stosw fwd", &r, 0);
    reset_buffers();
    STRING_OP("rep stosb", "std", 9, src_buf, dst_buf + 30, 0x5A, 0x002, r);
    report("rep stosb back", &r, 0);
    reset_buffers();
    STRING_OP("lodsb\n\tlodsl", "cld", 0, src_buf + 5, dst_buf, 0xFFFFFFFF, 0x002, r);
    report("lodsb+lodsd", &r, 0);
    STRING_OP("lodsw", "std", 0, src_buf + 5, dst_buf, 0xFFFFFFFF, 0x002, r);
    report("lodsw back", &r, 0);

    reset_buffers();
    memcpy(dst_buf, src_buf, 64);
    dst_buf[7] = 0;
    STRING_OP("repe cmpsb", "cld", 16, src_buf, dst_buf, 0, 0x002, r);
    report("repe cmpsb mismatch", &r, FL_ALL);
    STRING_OP("repe cmpsb", "cld", 6, src_buf, dst_buf, 0, 0x002, r);
    report("repe cmpsb equal", &r, FL_ALL);
    STRING_OP("repe cmpsl", "std", 4, src_buf + 20, dst_buf + 20, 0, 0x002, r);
    report("repe cmpsd back", &r, FL_ALL);
    STRING_OP("repne cmpsb", "cld", 10, src_buf, dst_buf, 0, 0x002, r);
    report("repne cmpsb", &r, FL_ALL);
    STRING_OP("repne scasb", "cld", 20, src_buf, src_buf, src_buf[9], 0x002, r);
    report("repne scasb found", &r, FL_ALL);
    STRING_OP("repne scasb", "cld", 20, src_buf, src_buf, 0xFF, 0x002, r);
    report("repne scasb absent", &r, FL_ALL);
    STRING_OP("repe scasb", "std", 20, src_buf, src_buf + 19, src_buf[19], 0x002, r);
    report("repe scasb back", &r, FL_ALL);
    STRING_OP("repne scasw", "std", 20, src_buf, src_buf + 30, src_buf[20] | (src_buf[21] << 8), 0x002, r);
    report("repne scasw back", &r, FL_ALL);
}

static void check_xlat_and_loops(void)
{
    uint8_t table[256];
    for (int i = 0; i < 256; i++) {
        table[i] = (uint8_t)(255 - i * 3);
    }
    uint32_t al = 0xABCD0037;
    __asm__ volatile("xlatb" : "+a"(al) : "b"(table), "m"(table));
    kprintf("xlat al=37: eax=%08x\n", al);

    uint32_t count = 10, iterations = 0;
    __asm__ volatile("1: incl %[it]\n\tloop 1b" : "+c"(count), [it] "+r"(iterations) : : "cc");
    kprintf("loop 10: ecx=%u iterations=%u\n", count, iterations);
    count = 10;
    iterations = 0;
    /* LOOPE stops at the first iteration whose compare is not equal (iteration 4). */
    __asm__ volatile("1: incl %[it]\n\tcmpl $4, %[it]\n\tloope 1b" : "+c"(count), [it] "+r"(iterations) : : "cc");
    kprintf("loope: ecx=%u iterations=%u\n", count, iterations);
    count = 10;
    iterations = 0;
    __asm__ volatile("1: incl %[it]\n\tcmpl $6, %[it]\n\tloopne 1b" : "+c"(count), [it] "+r"(iterations) : : "cc");
    kprintf("loopne: ecx=%u iterations=%u\n", count, iterations);
    count = 0;
    iterations = 0;
    __asm__ volatile("1: incl %[it]\n\tcmpl $3, %[it]\n\tje 2f\n\tloop 1b\n2:" : "+c"(count), [it] "+r"(iterations) : : "cc");
    kprintf("loop ecx=0: ecx=%08x iterations=%u\n", count, iterations);
    count = 0;
    iterations = 0;
    __asm__ volatile("jecxz 1f\n\tmovl $1, %[it]\n1:" : [it] "+r"(iterations) : "c"(count));
    kprintf("jecxz: skipped=%u\n", iterations == 0);
}

/* misc.S */
void enter_leave_probe(uint32_t *out);
void pusha_probe(uint32_t *out);

static void check_frames(void)
{
    uint32_t out[24];
    memset(out, 0, sizeof(out));
    enter_leave_probe(out);
    kprintf("enter 16,0: esp=-%u ebp=-%u [ebp]=%08x\n", out[0], out[1], out[2]);
    kprintf("enter 8,3: esp=-%u ebp=-%u frame=%08x %08x %08x %08x %08x\n", out[3], out[4], out[5], out[6],
            out[7], out[8], out[9]);
    kprintf("leave: esp=-%u ebp=%08x\n", out[10], out[11]);
    memset(out, 0, sizeof(out));
    pusha_probe(out);
    kprintf("pusha: %08x %08x %08x esp+%u %08x %08x %08x %08x\n", out[0], out[1], out[2], out[3], out[4],
            out[5], out[6], out[7]);
    kprintf("popa: %08x %08x %08x %08x %08x %08x %08x esp+%u\n", out[8], out[9], out[10], out[11], out[12],
            out[13], out[14], out[15]);
    kprintf("pushaw/popaw: sp-%u eax=%08x\n", out[16], out[17]);
}

void check_strings(void)
{
    check_string_ops();
    check_xlat_and_loops();
    check_frames();
}
