/* C entry, exit, command line and the small libc subset the images need. */
#include "guest.h"

static const char *saved_cmdline = "";

void guest_start(uint32_t magic, const struct multiboot_info *mbi) __attribute__((noreturn, used));

void guest_start(uint32_t magic, const struct multiboot_info *mbi)
{
    serial_init();
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("bad multiboot magic %08x\n", magic);
        guest_exit(0x7F);
    }
    if ((mbi->flags & MB_INFO_CMDLINE) && mbi->cmdline != 0) {
        saved_cmdline = (const char *)mbi->cmdline;
    }
    guest_exit((uint8_t)guest_main(mbi));
}

void guest_exit(uint8_t code)
{
    outb(0xF4, code);
    /*
     * Only reached without isa-debug-exit. Let the UART finish its last byte (bounded, in case a
     * model never reports an empty transmitter), then write the string Bochs shuts down on.
     */
    for (int i = 0; i < 1000000 && (inb(0x3FD) & 0x40) == 0; i++) {
    }
    for (const char *p = "Shutdown"; *p; p++) {
        outb(0x8900, (uint8_t)*p);
    }
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

const char *guest_cmdline(void)
{
    return saved_cmdline;
}

static int is_separator(char c)
{
    return c == ' ' || c == '\t' || c == '\0';
}

uint32_t cmdline_uint(const char *key, uint32_t fallback)
{
    const char *s = saved_cmdline;
    size_t keylen = strlen(key);
    while (*s) {
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (memcmp(s, key, keylen) == 0 && s[keylen] == '=') {
            const char *p = s + keylen + 1;
            uint32_t value = 0;
            int digits = 0;
            while (*p >= '0' && *p <= '9') {
                value = value * 10 + (uint32_t)(*p++ - '0');
                digits++;
            }
            return digits > 0 && is_separator(*p) ? value : fallback;
        }
        while (!is_separator(*s)) {
            s++;
        }
    }
    return fallback;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--) {
        *d++ = (unsigned char)c;
    }
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--) {
            *d++ = *s++;
        }
    } else {
        while (n--) {
            d[n] = s[n];
        }
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] - y[i];
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}
