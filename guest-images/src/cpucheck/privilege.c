/*
 * Privilege checks: ring-3 entry through IRET, INT from ring 3 onto the TSS ring-0 stack and back,
 * a call gate with parameters, page protection seen from ring 3, IOPL and the I/O bitmap,
 * LAR/LSL/VERR/VERW. Ring-3 code only records results; ring 0 prints them afterwards.
 */
#include "cpucheck.h"
#include "paging.h"

#define USER_CHECKS 20
#define IO_TEST_PORT 0x80

extern char _start[], __bss_start[];
extern volatile uint32_t syscall_entry_esp, syscall_frame[5], syscall_ss;
extern volatile uint32_t callgate_entry_esp, callgate_frame[6], callgate_ss, callgate_cs;

struct user_result {
    const char *name;
    struct fault_record fault;
    uint32_t start;
};

static struct user_result user_results[USER_CHECKS];
static int user_result_count;
static uint8_t user_stack[8192] __attribute__((aligned(16)));
static volatile uint32_t syscall_result, user_cs_seen, user_gate_esp_delta, user_popf_flags;

struct selector_probe {
    uint32_t lar, lar_ok, lsl, lsl_ok, verr, verw;
};
static struct selector_probe user_probes[5];
static const uint32_t user_probe_selectors[5] = { SEL_KDATA, SEL_UDATA, SEL_UCODE, SEL_CALLGATE | 3, SEL_TSS_MAIN };

static void record(const char *name)
{
    struct user_result *r = &user_results[user_result_count++];
    r->name = name;
    r->fault = fault;
    r->start = fault_start_eip;
}

#define USER_TRY(name, body, ...)                                                                  \
    do {                                                                                           \
        fault_clear();                                                                             \
        __asm__ volatile(TRY_BEGIN body TRY_END __VA_ARGS__);                                     \
        record(name);                                                                              \
    } while (0)

static void probe_selector(uint32_t selector, struct selector_probe *p)
{
    uint32_t lar = 0, lsl = 0, f_lar, f_lsl, f_verr, f_verw;
    __asm__ volatile("larl %[s], %[d]\n\tpushfl\n\tpopl %[f]" : [d] "+r"(lar), [f] "=r"(f_lar) : [s] "r"(selector) : "cc");
    __asm__ volatile("lsll %[s], %[d]\n\tpushfl\n\tpopl %[f]" : [d] "+r"(lsl), [f] "=r"(f_lsl) : [s] "r"(selector) : "cc");
    __asm__ volatile("verr %w[s]\n\tpushfl\n\tpopl %[f]" : [f] "=r"(f_verr) : [s] "r"(selector) : "cc");
    __asm__ volatile("verw %w[s]\n\tpushfl\n\tpopl %[f]" : [f] "=r"(f_verw) : [s] "r"(selector) : "cc");
    p->lar = lar & 0x00F0FF00u;
    /* Bits 16-23 of a gate are offset bits, which CPUs and emulators report differently. */
    if ((p->lar & 0x1000u) == 0) {
        p->lar &= 0x0000FF00u;
    }
    /* Hardware sets a code segment's accessed bit when CS is loaded; QEMU does not, so hide it. */
    if ((p->lar & 0x1800u) == 0x1800u) {
        p->lar &= ~0x100u;
    }
    p->lar_ok = (f_lar & FL_ZF) != 0;
    p->lsl = lsl;
    p->lsl_ok = (f_lsl & FL_ZF) != 0;
    p->verr = (f_verr & FL_ZF) != 0;
    p->verw = (f_verw & FL_ZF) != 0;
}

static void print_probe(const char *where, uint32_t selector, const struct selector_probe *p)
{
    kprintf("%s sel=%04x: lar=%08x/%u lsl=%08x/%u verr=%u verw=%u\n", where, selector, p->lar, p->lar_ok, p->lsl,
            p->lsl_ok, p->verr, p->verw);
}

static void leave_user(void) __attribute__((noreturn));
static void leave_user(void)
{
    __asm__ volatile("int $0x81");
    __builtin_unreachable();
}

/* Runs at CPL 3 with IOPL 0. */
static void user_main(void)
{
    uint32_t cs;
    __asm__ volatile("movl %%cs, %0" : "=r"(cs));
    user_cs_seen = cs & 0xFFFF;
    uint32_t v = 20;
    __asm__ volatile("int $0x80" : "+a"(v) : : "memory");
    syscall_result = v;

    uint32_t esp_before, esp_after;
    __asm__ volatile("movl %%esp, %0\n\tpushl $0x2222\n\tpushl $0x1111\n\tlcall $0x4B, $0\n\tmovl %%esp, %1"
                     : "=&r"(esp_before), "=r"(esp_after) : : "memory");
    user_gate_esp_delta = esp_before - esp_after;

    uint32_t sink = 0;
    USER_TRY("user read supervisor page", "movl (%1), %0", : "+r"(sink) : "r"(VA_SUPERVISOR) : "memory");
    USER_TRY("user write supervisor page", "movl %0, (%1)", : : "r"(1), "r"(VA_SUPERVISOR) : "memory");
    USER_TRY("user write user read-only page", "movl %0, (%1)", : : "r"(1), "r"(VA_USER_READONLY + 4) : "memory");
    USER_TRY("user read not present", "movl (%1), %0", : "+r"(sink) : "r"(VA_NOT_PRESENT + 8) : "memory");
    USER_TRY("user read user page", "movl (%1), %0", : "+r"(sink) : "r"(VA_USER_READONLY) : "memory");
    USER_TRY("user out allowed by io bitmap", "outb %%al, $0x80", : : "a"(0) : "memory");
    tss_main_block.iomap[IO_TEST_PORT / 8] = 1u << (IO_TEST_PORT % 8);
    USER_TRY("user out denied by io bitmap", "outb %%al, $0x80", : : "a"(0) : "memory");
    USER_TRY("user cli with iopl 0", "cli", : : : "memory");
    USER_TRY("user int to dpl0 gate", "int $0x82", : : : "memory");
    USER_TRY("user int3 through dpl0 gate", "int3", : : : "memory");
    USER_TRY("user load kernel data into ds", "movw %w0, %%ds", : : "r"(SEL_KDATA) : "memory");
    USER_TRY("user hlt", "hlt", : : : "memory");
    USER_TRY("user mov to cr3", "movl %0, %%cr3", : : "r"(0) : "memory");
    USER_TRY("user far call to ring-0 code", "lcall $0x08, $0", : : : "memory");
    USER_TRY("user popf setting iopl and if", "pushl $0x3202\n\tpopfl\n\tpushfl\n\tpopl %0", : "+r"(sink) : : "cc", "memory");
    user_popf_flags = sink & 0x3200;

    for (int i = 0; i < 5; i++) {
        probe_selector(user_probe_selectors[i], &user_probes[i]);
    }
    leave_user();
}

/* Runs at CPL 3 with IOPL 3: port and interrupt-flag instructions are allowed. */
static void user_iopl3_main(void)
{
    USER_TRY("iopl3 user cli", "cli", : : : "memory");
    USER_TRY("iopl3 user out denied by io bitmap", "outb %%al, $0x80", : : "a"(0) : "memory");
    leave_user();
}

static void print_user_results(void)
{
    for (int i = 0; i < user_result_count; i++) {
        fault = user_results[i].fault;
        fault_start_eip = user_results[i].start;
        fault_report(user_results[i].name);
    }
    user_result_count = 0;
}

void check_privilege(void)
{
    static const uint32_t selectors[] = { SEL_KCODE, SEL_KDATA, SEL_UCODE, SEL_UDATA, SEL_TSS_MAIN, SEL_TSS_TASK2,
                                          SEL_RODATA, SEL_NOTPRESENT, SEL_CALLGATE, SEL_SMALLDATA, SEL_TASKGATE,
                                          SEL_XONLY_CODE, 0x1230, 0 };
    for (size_t i = 0; i < sizeof(selectors) / sizeof(selectors[0]); i++) {
        struct selector_probe p;
        probe_selector(selectors[i], &p);
        print_probe("ring0", selectors[i], &p);
    }

    uint32_t esp_before, esp_after;
    __asm__ volatile("movl %%esp, %0\n\tpushl $0x4444\n\tpushl $0x3333\n\tlcall $0x48, $0\n\tmovl %%esp, %1"
                     : "=&r"(esp_before), "=r"(esp_after) : : "memory");
    kprintf("ring0 call gate: frame cs=%04x params=%08x,%08x ss=%04x cs=%04x esp restored=%u\n",
            callgate_frame[1] & 0xFFFF, callgate_frame[2], callgate_frame[3], callgate_ss, callgate_cs,
            esp_before == esp_after);

    memset(tss_main_block.iomap, 0, 8192);
    enter_user(user_main, (uint32_t)(user_stack + sizeof(user_stack)), 0x002);
    uint32_t esp0 = tss_main_block.tss.esp0;
    kprintf("ring3 cs=%04x\n", user_cs_seen);
    kprintf("int 0x80 from ring 3: eax=%u esp=esp0-%u frame eip-ok=%u cs=%04x eflags=%08x esp-ok=%u ss=%04x "
            "handler ss=%04x\n",
            syscall_result, esp0 - syscall_entry_esp,
            syscall_frame[0] >= (uint32_t)_start && syscall_frame[0] < (uint32_t)__bss_start, syscall_frame[1] & 0xFFFF,
            syscall_frame[2] & ~FL_ALL, syscall_frame[3] <= (uint32_t)(user_stack + sizeof(user_stack)),
            syscall_frame[4] & 0xFFFF, syscall_ss);
    kprintf("ring3 call gate: esp=esp0-%u ret cs=%04x params=%08x,%08x ss=%04x new ss=%04x cs=%04x "
            "caller esp popped=%u\n",
            esp0 - callgate_entry_esp, callgate_frame[1] & 0xFFFF, callgate_frame[2], callgate_frame[3],
            callgate_frame[5] & 0xFFFF, callgate_ss, callgate_cs, user_gate_esp_delta == 0);
    print_user_results();
    kprintf("user popf iopl|if kept: %04x\n", user_popf_flags);
    for (int i = 0; i < 5; i++) {
        print_probe("ring3", user_probe_selectors[i], &user_probes[i]);
    }
    enter_user(user_iopl3_main, (uint32_t)(user_stack + sizeof(user_stack)), 0x3002);
    print_user_results();
    memset(tss_main_block.iomap, 0, 8192);
}
