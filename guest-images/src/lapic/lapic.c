/*
 * lapic: the MP tables, the local APIC and the I/O APIC as an SMP-aware kernel finds and drives them
 * on a one-CPU PC. Finds the MP floating pointer, verifies both checksums and prints the CPU, IOAPIC
 * and ISA interrupt entries; enables the local APIC and runs its timer one-shot and periodic; checks
 * task-priority masking with a self IPI; routes the PIT's IRQ 0 through IOAPIC pin 2. Only counts
 * and properties are printed, never raw timer values: those depend on host speed.
 */
#include "devlib.h"

#define LAPIC_BASE 0xFEE00000u
#define IOAPIC_BASE 0xFEC00000u
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ISR 0x100
#define LAPIC_IRR 0x200
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3E0
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)

#define VECTOR_TIMER 0x40
#define VECTOR_IPI 0x41
#define VECTOR_PIT 0x42
#define VECTOR_SPURIOUS 0xFF
#define PERIODIC_TARGET 10u
#define PIT_TARGET 20u
#define WAIT_LIMIT 2000u

volatile uint32_t timer_irqs, ipi_irqs, pit_irqs, spurious_irqs;

/* Each stub counts its vector and, except the spurious one, writes the local APIC's EOI register. */
__asm__(".text\n"
        ".macro APIC_STUB name, counter\n"
        "\\name:\n"
        "    incl \\counter\n"
        "    movl $0, 0xFEE000B0\n"
        "    iret\n"
        ".endm\n"
        "APIC_STUB timer_stub, timer_irqs\n"
        "APIC_STUB ipi_stub, ipi_irqs\n"
        "APIC_STUB pit_stub, pit_irqs\n"
        "spurious_stub:\n"
        "    incl spurious_irqs\n"
        "    iret\n");
extern char timer_stub[], ipi_stub[], pit_stub[], spurious_stub[];

static uint32_t lapic_read(uint32_t reg)
{
    return *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg);
}

static void lapic_write(uint32_t reg, uint32_t value)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg) = value;
}

static uint32_t ioapic_read(uint32_t reg)
{
    *(volatile uint32_t *)(uintptr_t)IOAPIC_BASE = reg;
    return *(volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + 0x10);
}

static void ioapic_write(uint32_t reg, uint32_t value)
{
    *(volatile uint32_t *)(uintptr_t)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + 0x10) = value;
}

static const char *yes_no(int ok)
{
    return ok ? "yes" : "no";
}

/* devlib owns the IDT; the vectors it leaves empty are filled in place, found through SIDT. */
static void set_gate(unsigned vector, const void *target)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    uint32_t *gate = (uint32_t *)(uintptr_t)(idtr.base + vector * 8);
    uint32_t address = (uint32_t)(uintptr_t)target;
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    gate[0] = (address & 0xFFFF) | ((uint32_t)cs << 16);
    gate[1] = (address & 0xFFFF0000u) | 0x8E00; /* present, ring 0, 32-bit interrupt gate */
}

static uint8_t checksum(const uint8_t *bytes, uint32_t length)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < length; i++) {
        sum = (uint8_t)(sum + bytes[i]);
    }
    return sum;
}

static const uint8_t *scan_for_floating_pointer(uint32_t start, uint32_t length)
{
    for (uint32_t at = start; at + 16 <= start + length; at += 16) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)at;
        if (p[0] == '_' && p[1] == 'M' && p[2] == 'P' && p[3] == '_' && checksum(p, 16) == 0) {
            return p;
        }
    }
    return 0;
}

/* The MP specification's search order: EBDA's first KiB, the last KiB of base memory, the BIOS ROM. */
static const uint8_t *find_floating_pointer(void)
{
    const volatile uint16_t *bda_ebda_segment;
    /* Launders the constant address so the compiler does not treat it as a null-based array. */
    __asm__("" : "=r"(bda_ebda_segment) : "0"(0x40E));
    uint32_t ebda = (uint32_t)*bda_ebda_segment << 4;
    const uint8_t *found = ebda != 0 ? scan_for_floating_pointer(ebda, 1024) : 0;
    if (!found) {
        found = scan_for_floating_pointer(0x9FC00, 1024);
    }
    if (!found) {
        found = scan_for_floating_pointer(0xF0000, 0x10000);
    }
    return found;
}

static uint32_t read32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint32_t read16(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static int parse_mp_tables(void)
{
    const uint8_t *pointer = find_floating_pointer();
    kprintf("mp floating pointer: found %s", yes_no(pointer != 0));
    if (!pointer) {
        kprintf("\n");
        return 0;
    }
    kprintf(", length %u, spec revision %u, default configuration %u\n", pointer[8], pointer[9], pointer[11]);
    const uint8_t *table = (const uint8_t *)(uintptr_t)read32(pointer + 4);
    int header_ok = table[0] == 'P' && table[1] == 'C' && table[2] == 'M' && table[3] == 'P';
    uint32_t length = read16(table + 4);
    int sum_ok = header_ok && checksum(table, length) == 0;
    uint32_t entries = read16(table + 34);
    kprintf("mp configuration table: signature PCMP %s, checksum ok %s, spec revision %u, local APIC at %08x\n",
            yes_no(header_ok), yes_no(sum_ok), table[6], read32(table + 36));
    if (!sum_ok) {
        return 0;
    }
    uint32_t cpus = 0, ioapics = 0, isa_bus = 0xFFu;
    int pin_of_irq[16];
    for (int irq = 0; irq < 16; irq++) {
        pin_of_irq[irq] = -1;
    }
    const uint8_t *entry = table + 44;
    for (uint32_t n = 0; n < entries && entry < table + length; n++) {
        switch (entry[0]) {
        case 0:
            cpus++;
            kprintf("mp cpu: local APIC id %u, version %02x, enabled %s, bootstrap %s\n", entry[1], entry[2],
                    yes_no(entry[3] & 1), yes_no(entry[3] & 2));
            entry += 20;
            break;
        case 1:
            if (entry[2] == 'I' && entry[3] == 'S' && entry[4] == 'A') {
                isa_bus = entry[1];
            }
            entry += 8;
            break;
        case 2:
            ioapics++;
            kprintf("mp ioapic: id %u, version %02x, enabled %s, address %08x\n", entry[1], entry[2],
                    yes_no(entry[3] & 1), read32(entry + 4));
            entry += 8;
            break;
        case 3:
            if (entry[4] == isa_bus && entry[1] == 0 && entry[5] < 16) {
                pin_of_irq[entry[5]] = entry[7];
                if (read16(entry + 2) != 0) {
                    kprintf("mp interrupt: ISA IRQ %u has flags %04x\n", entry[5], read16(entry + 2));
                }
            }
            entry += 8;
            break;
        case 4:
            kprintf("mp local interrupt: type %u, flags %04x, to APIC %02x LINT%u\n", entry[1], read16(entry + 2),
                    entry[6], entry[7]);
            entry += 8;
            break;
        default:
            entry += 8;
            break;
        }
    }
    /* IRQs QEMU gives to PCI devices (9, 10, 11) are left out: which ones depends on its PCI devices. */
    static const int isa_irqs[] = {0, 1, 3, 4, 8, 14, 15};
    kprintf("mp ISA interrupts (IRQ->pin):");
    for (unsigned i = 0; i < sizeof(isa_irqs) / sizeof(isa_irqs[0]); i++) {
        kprintf(" %d->%d", isa_irqs[i], pin_of_irq[isa_irqs[i]]);
    }
    kprintf("\nmp totals: %u cpu, %u ioapic\n", cpus, ioapics);
    return cpus == 1 && ioapics == 1 && pin_of_irq[0] == 2;
}

/* Halts until `*counter` reaches `target`; gives up after WAIT_LIMIT wake-ups of any kind. */
static int wait_for(volatile uint32_t *counter, uint32_t target)
{
    uint32_t wakeups = 0;
    irq_disable();
    while (*counter < target && wakeups++ < WAIT_LIMIT) {
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    irq_enable();
    return *counter >= target;
}

static int check_local_apic(void)
{
    uint32_t version = lapic_read(LAPIC_VERSION);
    kprintf("lapic: id %u, version %02x, max LVT entry %u\n", lapic_read(LAPIC_ID) >> 24, version & 0xFF,
            (version >> 16) & 0xFF);
    lapic_write(LAPIC_SVR, 0x100 | VECTOR_SPURIOUS);
    lapic_write(LAPIC_TPR, 0);
    kprintf("lapic: enabled, spurious vector register %03x\n", lapic_read(LAPIC_SVR));
    return (version & 0xFF) == 0x14;
}

static int check_one_shot(void)
{
    timer_irqs = 0;
    lapic_write(LAPIC_TIMER_DIVIDE, 0x3); /* divide by 16 */
    lapic_write(LAPIC_LVT_TIMER, VECTOR_TIMER);
    lapic_write(LAPIC_TIMER_INITIAL, 200000);
    uint32_t running = lapic_read(LAPIC_TIMER_CURRENT);
    int fired = wait_for(&timer_irqs, 1);
    /* A watchdog span of PIT ticks later the one-shot timer must still have fired just once. */
    uint32_t start = watchdog_ticks();
    while (watchdog_ticks() - start < 5) {
        __asm__ volatile("hlt");
    }
    kprintf("lapic timer one-shot: counting down %s, fired %s, interrupts %u, current count at end %u\n",
            yes_no(running > 0 && running <= 200000), yes_no(fired), timer_irqs,
            lapic_read(LAPIC_TIMER_CURRENT));
    return fired && timer_irqs == 1 && lapic_read(LAPIC_TIMER_CURRENT) == 0;
}

static int check_periodic(void)
{
    timer_irqs = 0;
    lapic_write(LAPIC_TIMER_DIVIDE, 0xB); /* divide by 1 */
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VECTOR_TIMER);
    lapic_write(LAPIC_TIMER_INITIAL, 1000000);
    int counted = wait_for(&timer_irqs, PERIODIC_TARGET);
    uint32_t current = lapic_read(LAPIC_TIMER_CURRENT);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_PERIODIC | VECTOR_TIMER);
    uint32_t at_mask = timer_irqs;
    uint32_t start = watchdog_ticks();
    while (watchdog_ticks() - start < 5) {
        __asm__ volatile("hlt");
    }
    int silent = timer_irqs == at_mask;
    lapic_write(LAPIC_TIMER_INITIAL, 0);
    kprintf("lapic timer periodic: %u interrupts counted %s, reloads (count within period) %s, silent once "
            "masked %s, LVT %05x\n",
            PERIODIC_TARGET, yes_no(counted), yes_no(current <= 1000000), yes_no(silent),
            lapic_read(LAPIC_LVT_TIMER));
    return counted && silent;
}

static int check_task_priority(void)
{
    ipi_irqs = 0;
    irq_disable();
    lapic_write(LAPIC_TPR, 0x50);
    lapic_write(LAPIC_ICR_HIGH, 0);
    lapic_write(LAPIC_ICR_LOW, (1u << 18) | VECTOR_IPI); /* fixed, to self */
    irq_enable();
    for (int i = 0; i < 1000; i++) {
        __asm__ volatile("nop");
    }
    uint32_t held = ipi_irqs;
    int in_irr = (lapic_read(LAPIC_IRR + (VECTOR_IPI >> 5) * 0x10) >> (VECTOR_IPI & 31)) & 1;
    lapic_write(LAPIC_TPR, 0);
    for (int i = 0; i < 1000; i++) {
        __asm__ volatile("nop");
    }
    kprintf("lapic self IPI: held back by TPR 0x50 %s, pending in IRR %s, delivered after TPR 0: %u\n",
            yes_no(held == 0), yes_no(in_irr), ipi_irqs);
    return held == 0 && in_irr && ipi_irqs == 1;
}

static int check_ioapic(void)
{
    uint32_t version = ioapic_read(0x01);
    kprintf("ioapic: version %02x, redirection entries %u, pin 2 after reset %08x\n", version & 0xFF,
            ((version >> 16) & 0xFF) + 1, ioapic_read(0x14));
    pit_irqs = 0;
    pic_mask(0);
    ioapic_write(0x15, (lapic_read(LAPIC_ID) >> 24) << 24); /* physical destination: this CPU */
    ioapic_write(0x14, VECTOR_PIT);                          /* fixed, edge, active high, unmasked */
    pit_program(0, 2, (uint16_t)(PIT_HZ / 100));
    int counted = wait_for(&pit_irqs, PIT_TARGET);
    ioapic_write(0x14, LVT_MASKED | VECTOR_PIT);
    uint32_t isr = 0, irr = 0;
    for (int i = 0; i < 8; i++) {
        isr |= lapic_read(LAPIC_ISR + i * 0x10);
        irr |= lapic_read(LAPIC_IRR + i * 0x10) & ~(1u << (VECTOR_PIT & 31));
    }
    kprintf("ioapic: PIT IRQ 0 on pin 2 as vector %02x, %u interrupts counted %s, entry %08x, ISR clear %s, "
            "IRR clear %s\n",
            VECTOR_PIT, PIT_TARGET, yes_no(counted), ioapic_read(0x14), yes_no(isr == 0), yes_no(irr == 0));
    return counted && isr == 0;
}

int guest_main(const struct multiboot_info *mbi)
{
    (void)mbi;
    devlib_init();
    set_gate(VECTOR_TIMER, timer_stub);
    set_gate(VECTOR_IPI, ipi_stub);
    set_gate(VECTOR_PIT, pit_stub);
    set_gate(VECTOR_SPURIOUS, spurious_stub);
    kprintf("lapic: MP tables, local APIC timer, IOAPIC\n");
    int failures = 0;
    failures += !parse_mp_tables();
    failures += !check_local_apic();
    /* The PIT watchdog's IRQ 0 still reaches the CPU through the 8259 and LINT0 (virtual wire). */
    watchdog_start();
    irq_enable();
    failures += !check_one_shot();
    failures += !check_periodic();
    failures += !check_task_priority();
    watchdog_stop();
    failures += !check_ioapic();
    kprintf("lapic: spurious interrupts %u\n", spurious_irqs);
    kprintf("lapic: %s\n", failures == 0 ? "all checks passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
