/* Descriptor tables, the exception dispatcher and fault reporting of the cpucheck image. */
#include "cpucheck.h"

uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
struct tss_block tss_main_block __attribute__((aligned(128)));
struct tss tss_task2 __attribute__((aligned(128)));
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));
static uint8_t task2_stack[4096] __attribute__((aligned(16)));

volatile struct fault_record fault;
volatile uint32_t fault_start_eip;
volatile uint32_t fault_recover_eip;

extern void syscall_handler(void);
extern void leave_user_handler(void);
extern void callgate_target(void);
extern void task2_entry(void);

struct __attribute__((packed)) table_register {
    uint16_t limit;
    uint32_t base;
};

static uint64_t segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    uint32_t lo = (limit & 0xFFFF) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xFF) | ((uint32_t)access << 8) | (limit & 0xF0000)
                  | ((uint32_t)flags << 20) | (base & 0xFF000000);
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t gate(uint16_t selector, uint32_t offset, uint8_t access, uint8_t params)
{
    uint32_t lo = (offset & 0xFFFF) | ((uint32_t)selector << 16);
    uint32_t hi = (offset & 0xFFFF0000) | ((uint32_t)access << 8) | params;
    return ((uint64_t)hi << 32) | lo;
}

void gdt_set_present(int index, int present)
{
    if (present) {
        gdt[index] |= (uint64_t)1 << 47;
    } else {
        gdt[index] &= ~((uint64_t)1 << 47);
    }
}

static void build_gdt(void)
{
    gdt[0] = 0;
    gdt[SEL_KCODE >> 3] = segment(0, 0xFFFFF, 0x9A, 0xC);
    gdt[SEL_KDATA >> 3] = segment(0, 0xFFFFF, 0x92, 0xC);
    gdt[SEL_UCODE >> 3] = segment(0, 0xFFFFF, 0xFA, 0xC);
    gdt[SEL_UDATA >> 3] = segment(0, 0xFFFFF, 0xF2, 0xC);
    gdt[SEL_TSS_MAIN >> 3] = segment((uint32_t)&tss_main_block, sizeof(tss_main_block) - 1, 0x89, 0);
    gdt[SEL_TSS_TASK2 >> 3] = segment((uint32_t)&tss_task2, sizeof(tss_task2) - 1, 0x89, 0);
    gdt[SEL_RODATA >> 3] = segment(0, 0xFFFFF, 0x90, 0xC);
    gdt[SEL_NOTPRESENT >> 3] = segment(0, 0xFFFFF, 0x12, 0xC);
    gdt[SEL_CALLGATE >> 3] = gate(SEL_KCODE, (uint32_t)callgate_target, 0xEC, 2);
    gdt[SEL_SMALLDATA >> 3] = segment(0, 0xFFF, 0x92, 0x4);
    gdt[SEL_TASKGATE >> 3] = gate(SEL_TSS_TASK2, 0, 0x85, 0);
    gdt[SEL_XONLY_CODE >> 3] = segment(0, 0xFFFFF, 0x98, 0xC);
}

static void build_idt(void)
{
    for (int v = 0; v < 256; v++) {
        idt[v] = isr_table[v] ? gate(SEL_KCODE, isr_table[v], 0x8E, 0) : 0;
    }
    idt[VEC_SYSCALL] = gate(SEL_KCODE, (uint32_t)syscall_handler, 0xEE, 0);
    idt[VEC_LEAVE_USER] = gate(SEL_KCODE, (uint32_t)leave_user_handler, 0xEE, 0);
}

static void build_tss(void)
{
    memset(&tss_main_block, 0, sizeof(tss_main_block));
    tss_main_block.tss.ss0 = SEL_KDATA;
    tss_main_block.tss.esp0 = (uint32_t)(ring0_stack + sizeof(ring0_stack));
    tss_main_block.tss.iomap_base = sizeof(struct tss);
    tss_main_block.iomap[8192] = 0xFF;

    memset(&tss_task2, 0, sizeof(tss_task2));
    tss_task2.eip = (uint32_t)task2_entry;
    tss_task2.eflags = 0x2;
    tss_task2.esp = (uint32_t)(task2_stack + sizeof(task2_stack));
    tss_task2.cs = SEL_KCODE;
    tss_task2.ss = tss_task2.ds = tss_task2.es = tss_task2.fs = tss_task2.gs = SEL_KDATA;
    tss_task2.eax = 0x7A5C2;
    tss_task2.iomap_base = sizeof(struct tss);
}

void desc_init(void)
{
    build_gdt();
    build_tss();
    build_idt();
    struct table_register gdtr = { sizeof(gdt) - 1, (uint32_t)gdt };
    struct table_register idtr = { sizeof(idt) - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:\n\t"
                     "movw %w1, %%ds\n\t"
                     "movw %w1, %%es\n\t"
                     "movw %w1, %%fs\n\t"
                     "movw %w1, %%gs\n\t"
                     "movw %w1, %%ss\n\t"
                     "lidt %2\n\t"
                     "ltr %w3\n\t"
                     "lldt %w4"
                     :
                     : "m"(gdtr), "r"(SEL_KDATA), "m"(idtr), "r"(SEL_TSS_MAIN), "r"(0)
                     : "memory");
}

uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("movl %%cr0, %0" : "=r"(v)); return v; }
uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("movl %%cr2, %0" : "=r"(v)); return v; }
uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("movl %%cr3, %0" : "=r"(v)); return v; }
uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("movl %%cr4, %0" : "=r"(v)); return v; }
void write_cr0(uint32_t v) { __asm__ volatile("movl %0, %%cr0" : : "r"(v) : "memory"); }
void write_cr3(uint32_t v) { __asm__ volatile("movl %0, %%cr3" : : "r"(v) : "memory"); }
void write_cr4(uint32_t v) { __asm__ volatile("movl %0, %%cr4" : : "r"(v) : "memory"); }

void exception_dispatch(struct trap_frame *frame)
{
    if (fault_recover_eip == 0) {
        kprintf("unexpected exception %u err=%08x eip=%08x cs=%04x cr2=%08x\n", frame->vector,
                frame->error, frame->eip, frame->cs, read_cr2());
        guest_exit(0x40 | (frame->vector & 0x3F));
    }
    fault.vector = frame->vector;
    fault.error = frame->error;
    fault.eip = frame->eip;
    fault.cs = frame->cs;
    fault.cr2 = frame->vector == 14 ? read_cr2() : 0;
    frame->eip = fault_recover_eip;
    fault_recover_eip = 0;
}

void fault_clear(void)
{
    fault.vector = NO_FAULT;
    fault.error = 0;
    fault.eip = 0;
    fault.cr2 = 0;
    fault.cs = 0;
}

static const char *const vector_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09", "#TS", "#NP", "#SS", "#GP",
    "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#20", "#21", "#22", "#23", "#24", "#25", "#26", "#27",
    "#28", "#29", "#30", "#31",
};

void fault_report(const char *name)
{
    if (fault.vector == NO_FAULT) {
        kprintf("%s: no fault\n", name);
        return;
    }
    kprintf("%s: %s err=%04x", name, fault.vector < 32 ? vector_names[fault.vector] : "int", fault.error);
    uint32_t offset = fault.eip - fault_start_eip;
    if (offset < 64) {
        kprintf(" eip=start+%u", offset);
    } else {
        kprintf(" eip=%08x", fault.eip);
    }
    kprintf(" cpl=%u", fault.cs & 3);
    if (fault.vector == 14) {
        kprintf(" cr2=%08x", fault.cr2);
    }
    kprintf("\n");
}
