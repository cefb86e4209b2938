/* GDT, IDT, 8259A, 8254 and CMOS helpers for the device guests; see devlib.h. */
#include "devlib.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define SEL_CODE 0x08
#define SEL_DATA 0x10

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t zero;
    uint8_t type_attr;
    uint16_t offset_hi;
} __attribute__((packed));

struct table_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

extern const uint32_t exc_stub_table[32];
extern const uint32_t irq_stub_table[16];

/* The loader's GDT may sit in memory the guest reuses, so interrupts need a GDT of our own. */
static const uint64_t gdt[3] __attribute__((aligned(8))) = {
    0,
    0x00CF9A000000FFFFull, /* flat 32-bit code */
    0x00CF92000000FFFFull, /* flat 32-bit data */
};
static struct idt_gate idt[256] __attribute__((aligned(8)));
static irq_handler_fn handlers[16];
static volatile uint32_t spurious;
static volatile uint32_t ticks;

void exception_report(const uint32_t *frame) __attribute__((used));
void irq_dispatch(uint32_t irq) __attribute__((used));

static void set_gate(unsigned vector, uint32_t target)
{
    idt[vector].offset_lo = (uint16_t)target;
    idt[vector].selector = SEL_CODE;
    idt[vector].zero = 0;
    idt[vector].type_attr = 0x8E; /* present, ring 0, 32-bit interrupt gate: IF cleared on entry */
    idt[vector].offset_hi = (uint16_t)(target >> 16);
}

static void load_tables(void)
{
    struct table_pointer gdtr = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};
    struct table_pointer idtr = {sizeof(idt) - 1, (uint32_t)(uintptr_t)idt};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp %1, $1f\n"
                     "1:\n\t"
                     "movw %w2, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs\n\t"
                     "movw %%ax, %%ss\n\t"
                     "lidt %3"
                     :
                     : "m"(gdtr), "i"(SEL_CODE), "i"(SEL_DATA), "m"(idtr)
                     : "eax", "memory");
}

/* ICW1-ICW4 as an operating system sends them: edge triggered, cascade on IRQ2, 8086 mode. */
static void pic_init(void)
{
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, IRQ_BASE_MASTER);
    outb(PIC2_DATA, IRQ_BASE_SLAVE);
    outb(PIC1_DATA, 0x04); /* slave on IRQ2 */
    outb(PIC2_DATA, 0x02); /* slave identity 2 */
    outb(PIC1_DATA, 0x01);
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xFF);
    outb(PIC2_DATA, 0xFF);
}

void devlib_init(void)
{
    for (unsigned v = 0; v < 32; v++) {
        set_gate(v, exc_stub_table[v]);
    }
    for (unsigned line = 0; line < 16; line++) {
        set_gate(IRQ_BASE_MASTER + line, irq_stub_table[line]);
    }
    load_tables();
    pic_init();
}

void exception_report(const uint32_t *frame)
{
    kprintf("unexpected exception %u, error code %x, eip %08x\n", frame[0], frame[1], frame[2]);
    guest_exit(0x70);
}

static uint8_t pic_read_isr(uint16_t cmd_port)
{
    outb(cmd_port, 0x0B);
    uint8_t v = inb(cmd_port);
    outb(cmd_port, 0x0A); /* back to reading IRR, the power-on default */
    return v;
}

void irq_dispatch(uint32_t irq)
{
    /* A line that drops before the acknowledge cycle shows up as IRQ7/15 with no ISR bit. */
    if (irq == 7 && (pic_read_isr(PIC1_CMD) & 0x80) == 0) {
        spurious++;
        return;
    }
    if (irq == 15 && (pic_read_isr(PIC2_CMD) & 0x80) == 0) {
        spurious++;
        outb(PIC1_CMD, PIC_EOI);
        return;
    }
    if (handlers[irq]) {
        handlers[irq]();
    }
    if (irq >= 8) {
        outb(PIC2_CMD, PIC_EOI);
    }
    outb(PIC1_CMD, PIC_EOI);
}

void irq_set_handler(unsigned irq, irq_handler_fn handler)
{
    handlers[irq & 15] = handler;
}

void pic_unmask(unsigned irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & ~(1u << (irq & 7)));
}

void pic_mask(unsigned irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) | (1u << (irq & 7)));
}

uint16_t pic_imr(void)
{
    return (uint16_t)(inb(PIC1_DATA) | (inb(PIC2_DATA) << 8));
}

uint16_t pic_isr(void)
{
    return (uint16_t)(pic_read_isr(PIC1_CMD) | (pic_read_isr(PIC2_CMD) << 8));
}

uint32_t pic_spurious_count(void)
{
    return spurious;
}

void pit_program(unsigned channel, unsigned mode, uint16_t count)
{
    outb(PIT_CMD, (uint8_t)((channel << 6) | 0x30 | (mode << 1)));
    outb((uint16_t)(PIT_CH0 + channel), (uint8_t)count);
    outb((uint16_t)(PIT_CH0 + channel), (uint8_t)(count >> 8));
}

static void watchdog_tick(void)
{
    ticks++;
}

void watchdog_start(void)
{
    irq_set_handler(0, watchdog_tick);
    pit_program(0, 2, (uint16_t)(PIT_HZ / 100));
    pic_unmask(0);
}

void watchdog_stop(void)
{
    pic_mask(0);
}

uint32_t watchdog_ticks(void)
{
    return ticks;
}

int wait_for_count(volatile const uint32_t *counter, uint32_t target, uint32_t timeout_ticks)
{
    uint32_t start = ticks;
    irq_disable();
    while (*counter < target) {
        if (ticks - start >= timeout_ticks) {
            irq_enable();
            return 0;
        }
        /* sti takes effect after hlt starts, so an interrupt cannot slip in between. */
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    irq_enable();
    return 1;
}

uint8_t cmos_read(uint8_t index)
{
    outb(0x70, index & 0x7F);
    return inb(0x71);
}

void cmos_write(uint8_t index, uint8_t value)
{
    outb(0x70, index & 0x7F);
    outb(0x71, value);
}
