/*
 * Device-driver support shared by the device guests (uartirq, timer, ata): a flat GDT, an IDT whose
 * IRQ vectors dispatch to C handlers, the 8259A pair programmed the way an operating system does,
 * the 8254 programming helpers and an interrupt wait with a PIT-tick watchdog.
 */
#ifndef TWINSTEP_DEVLIB_H
#define TWINSTEP_DEVLIB_H

#include "guest.h"

#define IRQ_BASE_MASTER 0x20
#define IRQ_BASE_SLAVE  0x28

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B  0x61

typedef void (*irq_handler_fn)(void);

/** Loads the flat GDT and the IDT and initialises both PICs (ICW1-4), every line masked. */
void devlib_init(void);

/** Installs the handler IRQ `irq` (0-15) runs; the dispatcher sends the EOIs after it returns. */
void irq_set_handler(unsigned irq, irq_handler_fn handler);
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
/** Interrupt mask registers, master in the low byte and slave in the high byte. */
uint16_t pic_imr(void);
/** In-service registers (OCW3 read ISR), master low and slave high. */
uint16_t pic_isr(void);
/** Interrupts the PICs reported but that no in-service bit confirmed (IRQ7/IRQ15 glitches). */
uint32_t pic_spurious_count(void);

static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/** Programs PIT channel `channel` for lobyte/hibyte access in `mode` with reload value `count`. */
void pit_program(unsigned channel, unsigned mode, uint16_t count);

/**
 * Starts PIT channel 0 as a 100 Hz rate generator whose IRQ0 handler counts watchdog ticks, and
 * unmasks IRQ0. Waits below give up after a number of these ticks instead of hanging.
 */
void watchdog_start(void);
void watchdog_stop(void);
uint32_t watchdog_ticks(void);

/**
 * Halts (sti; hlt) until `*counter` reaches `target` or `timeout_ticks` watchdog ticks pass.
 * Returns 1 when the counter got there. Interrupts are enabled on return.
 */
int wait_for_count(volatile const uint32_t *counter, uint32_t target, uint32_t timeout_ticks);

/** Reads CMOS register `index` (NMI stays enabled). */
uint8_t cmos_read(uint8_t index);
void cmos_write(uint8_t index, uint8_t value);

#endif
