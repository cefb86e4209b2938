/* Polled COM1 output: no interrupts, so it behaves the same under every emulator. */
#include "guest.h"

#define COM1 0x3F8
#define LSR_THR_EMPTY 0x20

void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB on to reach the divisor */
    outb(COM1 + 0, 0x01); /* divisor 1 = 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1, DLAB off */
    outb(COM1 + 2, 0xC7); /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + 4, 0x0B); /* DTR, RTS, OUT2 */
}

void serial_putc(char c)
{
    while ((inb(COM1 + 5) & LSR_THR_EMPTY) == 0) {
    }
    outb(COM1, (uint8_t)c);
}

void serial_puts(const char *s)
{
    while (*s) {
        serial_putc(*s++);
    }
}
