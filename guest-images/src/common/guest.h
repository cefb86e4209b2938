/*
 * Runtime shared by the Twinstep guest images: port I/O, COM1 output, formatting, exit.
 * Freestanding i386 code: no libc, no FPU, no 64-bit division outside libgcc_helpers.c.
 */
#ifndef TWINSTEP_GUEST_H
#define TWINSTEP_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#define MB_INFO_MEMORY  (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MMAP    (1u << 6)

/** The multiboot v1 information structure, as the loader passes it in EBX. */
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower;
    uint32_t mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count;
    uint32_t mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length;
    uint32_t mmap_addr;
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
};

/** One memory-map entry; `size` does not count itself. */
struct multiboot_mmap_entry {
    uint32_t size;
    uint32_t base_lo, base_hi;
    uint32_t len_lo, len_hi;
    uint32_t type;
} __attribute__((packed));

/** Entry point each image provides; its return value becomes the isa-debug-exit code. */
int guest_main(const struct multiboot_info *mbi);

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

void serial_init(void);
void serial_putc(char c);
void serial_puts(const char *s);

/**
 * printf subset: %d %i %u %x %X %c %s %% with optional '0' flag and width, 'l' accepted and
 * ignored (long is 32-bit), and %llx / %llu for 64-bit values.
 */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/** Writes `code` to isa-debug-exit (the emulator exits with (code << 1) | 1) and halts. */
void guest_exit(uint8_t code) __attribute__((noreturn));

/** Command line handed over by the loader, or "" when there is none. */
const char *guest_cmdline(void);
/** Value of `key=N` (decimal) in the command line, or `fallback` when absent or malformed. */
uint32_t cmdline_uint(const char *key, uint32_t fallback);

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
