/* Exceptions raised at CPL 0: vector, error code and faulting EIP of each. */
#include "cpucheck.h"

static void load_ds(const char *name, uint32_t selector)
{
    fault_clear();
    __asm__ volatile(TRY_BEGIN "movw %w0, %%ds" TRY_END "movw %w1, %%ds"
                     : : "r"(selector), "r"(SEL_KDATA) : "memory");
    fault_report(name);
}

static void load_ss(const char *name, uint32_t selector)
{
    fault_clear();
    __asm__ volatile(TRY_BEGIN "movw %w0, %%ss" TRY_END : : "r"(selector) : "memory");
    fault_report(name);
}

static uint32_t bound_pair[2] = { 10, 20 };

/*
 * Data-segment rights and limits on memory accesses. QEMU's TCG does not enforce them (it lets
 * all three through), so these run only with `segchecks=1` and are not in the QEMU reference.
 */
static void check_segment_access(void)
{
    uint32_t value = 0;
    fault_clear();
    __asm__ volatile("movw %w1, %%es\n\t" TRY_BEGIN "movl $0x1234, %%es:(%2)" TRY_END "movw %w3, %%es"
                     : "+m"(value) : "r"(SEL_RODATA), "r"(&value), "r"(SEL_KDATA) : "memory");
    fault_report("write through read-only es");
    kprintf("write through read-only es: value=%08x\n", value);

    fault_clear();
    __asm__ volatile("movw %w0, %%es\n\t" TRY_BEGIN "movl $0x1234, %%es:(%1)" TRY_END "movw %w2, %%es"
                     : : "r"(0), "r"(&value), "r"(SEL_KDATA) : "memory");
    fault_report("access through null es");

    static const uint32_t offsets[] = { 0xFFC, 0xFFD, 0x1000 };
    static const char *const names[] = { "fs limit fff dword at ffc", "fs limit fff dword at ffd",
                                         "fs limit fff dword at 1000" };
    for (int i = 0; i < 3; i++) {
        uint32_t read = 0;
        fault_clear();
        __asm__ volatile("movw %w1, %%fs\n\t" TRY_BEGIN "movl %%fs:(%2), %0" TRY_END "movw %w3, %%fs"
                         : "+r"(read) : "r"(SEL_SMALLDATA), "r"(offsets[i]), "r"(SEL_KDATA) : "memory");
        fault_report(names[i]);
    }
}

void check_faults(void)
{
    if (cmdline_uint("segchecks", 0)) {
        check_segment_access();
    }
    uint32_t q = 0, r = 0;

    fault_clear();
    __asm__ volatile(TRY_BEGIN "divl %[z]" TRY_END : "+a"(q), "+d"(r) : [z] "r"(0u) : "cc");
    fault_report("div by zero");

    fault_clear();
    q = 0x80000000u;
    r = 0xFFFFFFFFu;
    __asm__ volatile(TRY_BEGIN "idivl %[m]" TRY_END : "+a"(q), "+d"(r) : [m] "r"(0xFFFFFFFFu) : "cc");
    fault_report("idiv overflow");
    kprintf("idiv overflow regs kept: eax=%08x edx=%08x\n", q, r);

    fault_clear();
    q = 0x1000;
    __asm__ volatile(TRY_BEGIN "divb %b[d]" TRY_END : "+a"(q) : [d] "q"(0x10u) : "cc");
    fault_report("div8 quotient too big");

    fault_clear();
    __asm__ volatile(TRY_BEGIN "ud2" TRY_END ::: "memory");
    fault_report("ud2");

    fault_clear();
    /* LOCK on a register destination is invalid. */
    __asm__ volatile(TRY_BEGIN ".byte 0xF0, 0x01, 0xC0" TRY_END ::: "eax", "cc");
    fault_report("lock add reg,reg");

    fault_clear();
    __asm__ volatile(TRY_BEGIN "boundl %[i], %[b]" TRY_END : : [i] "r"(15u), [b] "m"(bound_pair));
    fault_report("bound inside");
    fault_clear();
    __asm__ volatile(TRY_BEGIN "boundl %[i], %[b]" TRY_END : : [i] "r"(21u), [b] "m"(bound_pair));
    fault_report("bound above");
    fault_clear();
    __asm__ volatile(TRY_BEGIN "boundl %[i], %[b]" TRY_END : : [i] "r"(9u), [b] "m"(bound_pair));
    fault_report("bound below");

    fault_clear();
    __asm__ volatile(TRY_BEGIN "int3" TRY_END ::: "memory");
    fault_report("int3");
    fault_clear();
    __asm__ volatile(TRY_BEGIN "pushl $0x802\n\tpopfl\n\tinto" TRY_END ::: "cc", "memory");
    fault_report("into with OF");
    fault_clear();
    __asm__ volatile(TRY_BEGIN "pushl $0x002\n\tpopfl\n\tinto" TRY_END ::: "cc", "memory");
    fault_report("into without OF");

    load_ds("load ds beyond gdt limit", 0x1230);
    load_ds("load ds with ldt selector", 0x0014);
    load_ds("load ds not present", SEL_NOTPRESENT);
    load_ds("load ds execute-only code", SEL_XONLY_CODE);
    load_ds("load ds with tss", SEL_TSS_MAIN);
    load_ds("load ds null", 0);
    load_ds("load ds read-only data", SEL_RODATA);
    load_ss("load ss not present", SEL_NOTPRESENT);
    load_ss("load ss read-only data", SEL_RODATA);
    load_ss("load ss null", 0);
    load_ss("load ss user data at cpl0", SEL_UDATA);

    fault_clear();
    __asm__ volatile(TRY_BEGIN "ljmp $0x38, $0" TRY_END ::: "memory");
    fault_report("far jmp to data segment");
    fault_clear();
    __asm__ volatile(TRY_BEGIN "int $0x90" TRY_END ::: "memory");
    fault_report("int to empty idt entry");
}
