/*
 * uartirq: COM1 driven by interrupts the way a kernel's 16550 driver does it. A message leaves
 * through a transmit ring that the THRE interrupt drains; then, in loopback mode (MCR bit 4), the
 * guest receives its own bytes through receive-data and character-timeout interrupts and checks
 * them. Interrupt counts depend on timing, so only their bounds are printed.
 */
#include "devlib.h"

#define COM1 0x3F8
#define COM1_IRQ 4
#define REG_DATA 0
#define REG_IER 1
#define REG_IIR 2
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define LSR_DR 0x01
#define LSR_ERRORS 0x1E
#define LSR_TEMT 0x40
#define MCR_DTR_RTS_OUT2 0x0B
#define MCR_LOOP 0x10
#define FIFO_DEPTH 16
#define RING_SIZE 512
#define LOOPBACK_BYTES 200
#define TIMEOUT_TICKS 500

static char tx_ring[RING_SIZE];
static volatile uint32_t tx_head, tx_tail;
static uint8_t rx_buf[RING_SIZE];
static volatile uint32_t rx_count;
static volatile uint32_t irq_count, thre_events, rx_events, timeout_events, line_errors;
static volatile uint8_t ier_shadow;
static uint32_t tx_burst = FIFO_DEPTH;

static void com1_interrupt(void)
{
    irq_count++;
    /* Serve every pending cause: the line is edge-triggered at the PIC, so one that stays up is lost. */
    for (int guard = 0; guard < 64; guard++) {
        uint8_t iir = inb(COM1 + REG_IIR);
        if (iir & 0x01) {
            return;
        }
        switch (iir & 0x0E) {
        case 0x06:
            line_errors |= inb(COM1 + REG_LSR) & LSR_ERRORS;
            break;
        case 0x0C:
            timeout_events++;
            /* a timeout means data waits below the trigger level: read it like received data */
            __attribute__((fallthrough));
        case 0x04:
            rx_events++;
            while (inb(COM1 + REG_LSR) & LSR_DR) {
                uint8_t b = inb(COM1 + REG_DATA);
                if (rx_count < RING_SIZE) {
                    rx_buf[rx_count] = b;
                }
                rx_count++;
            }
            break;
        case 0x02:
            thre_events++;
            for (uint32_t n = 0; n < tx_burst && tx_tail != tx_head; n++) {
                outb(COM1 + REG_DATA, (uint8_t)tx_ring[tx_tail % RING_SIZE]);
                tx_tail++;
            }
            if (tx_tail == tx_head) {
                ier_shadow &= (uint8_t)~IER_THRI;
                outb(COM1 + REG_IER, ier_shadow);
            }
            break;
        default:
            (void)inb(COM1 + REG_MSR);
            break;
        }
    }
}

/* Queues bytes and lets the THRE interrupt send them, as a tty write does. */
static void tx_queue(const char *data, uint32_t length)
{
    irq_disable();
    for (uint32_t i = 0; i < length; i++) {
        tx_ring[tx_head % RING_SIZE] = data[i];
        tx_head++;
    }
    ier_shadow |= IER_THRI;
    outb(COM1 + REG_IER, ier_shadow);
    irq_enable();
}

static int wait_tx_drained(void)
{
    uint32_t start = watchdog_ticks();
    while (tx_tail != tx_head || (inb(COM1 + REG_LSR) & LSR_TEMT) == 0) {
        if (watchdog_ticks() - start > TIMEOUT_TICKS) {
            return 0;
        }
        __asm__ volatile("hlt");
    }
    return 1;
}

static const char *yes_no(int ok)
{
    return ok ? "yes" : "no";
}

static int check_pic_setup(void)
{
    uint16_t masked = pic_imr();
    irq_set_handler(COM1_IRQ, com1_interrupt);
    watchdog_start();
    pic_unmask(COM1_IRQ);
    uint16_t open = pic_imr();
    kprintf("pic: remapped to 0x%02x/0x%02x, imr after init %04x, with irq0+irq4 open %04x\n",
            IRQ_BASE_MASTER, IRQ_BASE_SLAVE, masked, open);
    return masked == 0xFFFF && open == 0xFFEE;
}

static int check_uart_registers(void)
{
    outb(COM1 + REG_SCR, 0x5A);
    uint8_t scratch = inb(COM1 + REG_SCR);
    outb(COM1 + REG_FCR, 0xC7); /* FIFO on, both cleared, receive trigger at 14 bytes */
    uint8_t iir = inb(COM1 + REG_IIR);
    uint8_t lcr = inb(COM1 + REG_LCR);
    kprintf("uart: scratch %02x, iir with fifo and no interrupt %02x, lcr %02x\n", scratch, iir, lcr);
    return scratch == 0x5A && iir == 0xC1 && lcr == 0x03;
}

static int check_transmit_ring(void)
{
    static const char message[] =
        "uartirq: this line left through the transmit ring, sent by the THRE interrupt handler\n"
        "uartirq: sixteen bytes per interrupt at most, the FIFO depth of a 16550A, until the ring\n"
        "uartirq: is empty and the handler switches the THRE interrupt off again.\n";
    uint32_t length = sizeof(message) - 1;
    irq_count = thre_events = 0;
    tx_burst = FIFO_DEPTH;
    tx_queue(message, length);
    int drained = wait_tx_drained();
    uint32_t min_events = (length + FIFO_DEPTH - 1) / FIFO_DEPTH;
    int bounded = thre_events >= min_events && thre_events <= length + 1 && irq_count >= 1;
    kprintf("tx ring: %u bytes queued, drained: %s, THRE interrupts between %u and %u: %s\n", length,
            yes_no(drained), min_events, length + 1, yes_no(bounded));
    return drained && bounded;
}

static int check_loopback(void)
{
    static char pattern[LOOPBACK_BYTES];
    for (uint32_t i = 0; i < LOOPBACK_BYTES; i++) {
        pattern[i] = (char)(' ' + (i * 7) % 95);
    }
    outb(COM1 + REG_MCR, MCR_LOOP | MCR_DTR_RTS_OUT2);
    /* Nothing may be printed from here on until loopback ends: polled output would loop back too. */
    uint8_t msr = inb(COM1 + REG_MSR) & 0xF0;

    irq_count = thre_events = rx_events = timeout_events = line_errors = 0;
    rx_count = 0;
    /* Bursts of 8 stay below the 16-byte receive FIFO, so no byte can overrun. */
    tx_burst = 8;
    irq_disable();
    ier_shadow = IER_RDI | IER_RLSI;
    outb(COM1 + REG_IER, ier_shadow);
    irq_enable();
    tx_queue(pattern, LOOPBACK_BYTES);
    int all_arrived = wait_for_count(&rx_count, LOOPBACK_BYTES, TIMEOUT_TICKS);
    int drained = wait_tx_drained();

    irq_disable();
    ier_shadow = 0;
    outb(COM1 + REG_IER, 0);
    irq_enable();
    outb(COM1 + REG_MCR, MCR_DTR_RTS_OUT2);

    kprintf("loopback: modem status mirrors MCR: %02x\n", msr);
    int match = rx_count == LOOPBACK_BYTES && memcmp(rx_buf, pattern, LOOPBACK_BYTES) == 0;
    kprintf("loopback: %u bytes sent, %u received, all arrived: %s, transmit drained: %s\n", LOOPBACK_BYTES,
            rx_count, yes_no(all_arrived), yes_no(drained));
    kprintf("loopback: bytes match: %s, receive interrupts seen: %s, line errors: %02x\n", yes_no(match),
            yes_no(rx_events > 0), line_errors);
    return msr == 0xB0 && all_arrived && drained && match && rx_events > 0 && line_errors == 0;
}

static int check_quiet_after(void)
{
    uint8_t iir = inb(COM1 + REG_IIR);
    uint16_t in_service = pic_isr();
    watchdog_stop();
    pic_mask(COM1_IRQ);
    kprintf("after: iir %02x, pic in-service %04x, imr %04x\n", iir, in_service, pic_imr());
    return iir == 0xC1 && in_service == 0 && pic_imr() == 0xFFFF;
}

int guest_main(const struct multiboot_info *mbi)
{
    (void)mbi;
    devlib_init();
    kprintf("uartirq: interrupt-driven COM1\n");
    int failures = 0;
    failures += !check_pic_setup();
    failures += !check_uart_registers();
    irq_enable();
    failures += !check_transmit_ring();
    failures += !check_loopback();
    failures += !check_quiet_after();
    kprintf("uartirq: %s\n", failures == 0 ? "all checks passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
