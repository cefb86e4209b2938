/* A small printf for the serial console. */
#include "guest.h"

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);

static void put_padded(const char *digits, int len, int width, char pad)
{
    for (int i = len; i < width; i++) {
        serial_putc(pad);
    }
    for (int i = 0; i < len; i++) {
        serial_putc(digits[i]);
    }
}

static void put_number(uint64_t v, unsigned base, int upper, int negative, int width, char pad)
{
    const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int n = 0;
    do {
        buf[n++] = alphabet[__umoddi3(v, base)];
        v = __udivdi3(v, base);
    } while (v != 0);
    if (negative) {
        if (pad == '0') {
            serial_putc('-');
            width--;
        } else {
            buf[n++] = '-';
        }
    }
    char out[24];
    for (int i = 0; i < n; i++) {
        out[i] = buf[n - 1 - i];
    }
    put_padded(out, n, width, pad);
}

void kvprintf(const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            serial_putc(*p);
            continue;
        }
        p++;
        char pad = ' ';
        int width = 0;
        int longs = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            width = width * 10 + (*p++ - '0');
        }
        while (*p == 'l') {
            longs++;
            p++;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = longs >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int32_t);
            int negative = v < 0;
            put_number(negative ? (uint64_t)-v : (uint64_t)v, 10, 0, negative, width, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longs >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
            put_number(v, *p == 'u' ? 10 : 16, *p == 'X', 0, width, pad);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_padded(&c, 1, width, ' ');
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            put_padded(s, (int)strlen(s), width, ' ');
            break;
        }
        case '%':
            serial_putc('%');
            break;
        case '\0':
            return;
        default:
            serial_putc('%');
            serial_putc(*p);
            break;
        }
    }
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}
