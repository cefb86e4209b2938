/*
 * timer: the 8254 PIT and the MC146818 RTC as a kernel uses them. PIT channel 0 in modes 2, 3 and
 * 0 with IRQ0 counted (sti; hlt until N ticks), its counter read through the latch and read-back
 * commands, channel 2 gated and observed through port 0x61, the CMOS memory-size bytes and status
 * registers, and the RTC periodic interrupt on IRQ8 through the slave PIC. Only properties of the
 * counters are printed, never raw values: those depend on host speed.
 */
#include "devlib.h"

#define TICK_COUNT 100u /* 100 Hz */
#define TICKS_TO_WAIT 10u
#define RTC_IRQ 8
#define RTC_TICKS_TO_WAIT 32u
#define SPIN_LIMIT 200000000u

static volatile uint32_t pit_irqs;
static volatile uint32_t rtc_irqs_flagged, rtc_irqs_unflagged;

static void pit_interrupt(void)
{
    pit_irqs++;
}

static void rtc_interrupt(void)
{
    /* Reading register C acknowledges the RTC; without it IRQ8 never rises again. */
    uint8_t flags = cmos_read(0x0C);
    if ((flags & 0xC0) == 0xC0) {
        rtc_irqs_flagged++;
    } else {
        rtc_irqs_unflagged++;
    }
}

static const char *yes_no(int ok)
{
    return ok ? "yes" : "no";
}

static uint16_t latch_count(unsigned channel)
{
    outb(PIT_CMD, (uint8_t)(channel << 6)); /* counter latch command */
    uint8_t lo = inb((uint16_t)(PIT_CH0 + channel));
    uint8_t hi = inb((uint16_t)(PIT_CH0 + channel));
    return (uint16_t)(lo | (hi << 8));
}

/* Read-back command latching status and count of one channel: status byte first, then the count. */
static uint8_t read_back(unsigned channel, uint16_t *count)
{
    outb(PIT_CMD, (uint8_t)(0xC0 | (2u << channel)));
    uint8_t status = inb((uint16_t)(PIT_CH0 + channel));
    uint8_t lo = inb((uint16_t)(PIT_CH0 + channel));
    uint8_t hi = inb((uint16_t)(PIT_CH0 + channel));
    *count = (uint16_t)(lo | (hi << 8));
    return status;
}

/* Waits for the counter to move, then reports whether it moved down (bounded tries, no timing). */
static int counter_decreases(unsigned channel)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        uint16_t first = latch_count(channel);
        uint16_t next = first;
        for (uint32_t i = 0; i < SPIN_LIMIT && next == first; i++) {
            next = latch_count(channel);
        }
        if (next < first) {
            return 1;
        }
    }
    return 0;
}

static int wait_pit_irqs(uint32_t target)
{
    uint32_t spins = 0;
    irq_disable();
    while (pit_irqs < target && spins++ < 100000) {
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    irq_enable();
    return pit_irqs >= target;
}

static int check_rate_generator(void)
{
    uint16_t reload = (uint16_t)(PIT_HZ / TICK_COUNT);
    pit_irqs = 0;
    pit_program(0, 2, reload);
    int counted = wait_pit_irqs(TICKS_TO_WAIT);
    uint16_t latched = latch_count(0);
    int in_range = latched >= 1 && latched <= reload;
    int decreasing = counter_decreases(0);
    uint16_t rb_count;
    uint8_t status = read_back(0, &rb_count);
    int rb_in_range = rb_count >= 1 && rb_count <= reload;
    kprintf("pit mode 2: %u interrupts counted: %s\n", TICKS_TO_WAIT, yes_no(counted));
    kprintf("pit mode 2: latched count within 1..%u: %s, decreasing: %s\n", reload, yes_no(in_range),
            yes_no(decreasing));
    kprintf("pit mode 2: read-back status %02x (output bit masked), count within range: %s\n", status & 0x7F,
            yes_no(rb_in_range));
    return counted && in_range && decreasing && (status & 0x7F) == 0x34 && rb_in_range;
}

static int check_square_wave(void)
{
    uint16_t reload = (uint16_t)(PIT_HZ / TICK_COUNT) & ~1u;
    pit_irqs = 0;
    pit_program(0, 3, reload);
    int counted = wait_pit_irqs(TICKS_TO_WAIT);
    uint16_t count;
    uint8_t status = read_back(0, &count);
    int even = (count & 1) == 0;
    int in_range = count >= 2 && count <= reload;
    int decreasing = counter_decreases(0);
    kprintf("pit mode 3: %u interrupts counted: %s, read-back status %02x, count even and within range: %s, "
            "decreasing: %s\n",
            TICKS_TO_WAIT, yes_no(counted), status & 0x7F, yes_no(even && in_range), yes_no(decreasing));
    return counted && (status & 0x7F) == 0x36 && even && in_range && decreasing;
}

/* Channel 2 the way PIT calibration loops use it: gate on, speaker off, poll OUT2 in port 0x61. */
static int check_channel2_gate(void)
{
    outb(PORT_B, (uint8_t)((inb(PORT_B) & ~0x03) | 0x01));
    pit_program(2, 0, 0xFFFF);
    uint8_t while_counting = inb(PORT_B);
    uint32_t polls = 0;
    while ((inb(PORT_B) & 0x20) == 0 && polls < SPIN_LIMIT) {
        polls++;
    }
    uint8_t after = inb(PORT_B);
    outb(PORT_B, (uint8_t)(inb(PORT_B) & ~0x03));
    uint8_t gate_off = inb(PORT_B);
    kprintf("pit channel 2: port 0x61 gate/speaker/out while counting %02x, after terminal count %02x, "
            "gate off %02x\n",
            while_counting & 0x23, after & 0x23, gate_off & 0x03);
    return (while_counting & 0x23) == 0x01 && (after & 0x23) == 0x21 && (gate_off & 0x03) == 0;
}

static int check_one_shot(void)
{
    pit_irqs = 0;
    pit_program(0, 0, 2000);
    int fired = wait_pit_irqs(1);
    uint16_t count;
    uint8_t status = read_back(0, &count);
    /* Channel 2 counts a full 65536 periods meanwhile: far past channel 0's terminal count. */
    int ch2_ok = check_channel2_gate();
    uint32_t total = pit_irqs;
    kprintf("pit mode 0: interrupt at terminal count: %s, read-back status %02x, interrupts after a "
            "further 55 ms: %u\n",
            yes_no(fired), status, total);
    return fired && status == 0xB0 && total == 1 && ch2_ok;
}

static int check_cmos(void)
{
    uint32_t above_1m = cmos_read(0x30) | (cmos_read(0x31) << 8);
    uint32_t above_16m = cmos_read(0x34) | (cmos_read(0x35) << 8);
    uint8_t a = cmos_read(0x0A) & 0x7F; /* bit 7 is update-in-progress */
    uint8_t b = cmos_read(0x0B);
    uint8_t d = cmos_read(0x0D);
    kprintf("cmos: 0x30/0x31 KiB above 1 MiB %u, 0x34/0x35 64 KiB blocks above 16 MiB %u\n", above_1m,
            above_16m);
    kprintf("rtc: register A %02x (update bit masked), B %02x, D %02x\n", a, b, d);
    return d == 0x80;
}

/*
 * PF is set at the periodic rate whether PIE is on or not, so enabling PIE can raise IRQ8 at once
 * and leave an edge latched in the masked PIC's IRR that register C no longer explains. Like a
 * kernel's RTC driver, the handler counts only interrupts whose register C has IRQF and PF, and the
 * check tolerates that one stale interrupt.
 */
static int check_rtc_periodic(void)
{
    irq_set_handler(RTC_IRQ, rtc_interrupt);
    watchdog_start();
    uint8_t a = cmos_read(0x0A);
    cmos_write(0x0A, (uint8_t)((a & 0xF0) | 0x06)); /* 1024 Hz */
    uint8_t b = cmos_read(0x0B);
    cmos_write(0x0B, (uint8_t)(b | 0x40));
    uint8_t b_on = cmos_read(0x0B);
    (void)cmos_read(0x0C);
    rtc_irqs_flagged = rtc_irqs_unflagged = 0;
    pic_unmask(2);
    pic_unmask(RTC_IRQ);
    int counted = wait_for_count(&rtc_irqs_flagged, RTC_TICKS_TO_WAIT, 200);
    irq_disable();
    uint32_t unflagged = rtc_irqs_unflagged;
    cmos_write(0x0B, (uint8_t)(cmos_read(0x0B) & ~0x40));
    (void)cmos_read(0x0C);
    pic_mask(RTC_IRQ);
    pic_mask(2);
    irq_enable();
    watchdog_stop();
    kprintf("rtc periodic: register B with PIE %02x, %u interrupts on IRQ8 with IRQF and PF in register C "
            "counted: %s, no more than one stale: %s\n",
            b_on, RTC_TICKS_TO_WAIT, yes_no(counted), yes_no(unflagged <= 1));
    return counted && unflagged <= 1 && (b_on & 0x40);
}

int guest_main(const struct multiboot_info *mbi)
{
    (void)mbi;
    devlib_init();
    irq_set_handler(0, pit_interrupt);
    pic_unmask(0);
    irq_enable();
    kprintf("timer: PIT, RTC and the PIC\n");
    int failures = 0;
    failures += !check_rate_generator();
    failures += !check_square_wave();
    failures += !check_one_shot();
    pic_mask(0);
    failures += !check_cmos();
    failures += !check_rtc_periodic();
    kprintf("timer: pic in-service %04x, imr %04x\n", pic_isr(), pic_imr());
    kprintf("timer: %s\n", failures == 0 ? "all checks passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
