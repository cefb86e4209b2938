/*
 * hello: greets, then prints the multiboot information exactly as the loader gave it. Only values
 * the loader must get right are shown; addresses it is free to choose (EBX, mmap_addr, the
 * boot loader name) are left out so two correct loaders print the same transcript.
 */
#include "guest.h"

static void print_memory_map(const struct multiboot_info *mbi)
{
    uint32_t addr = mbi->mmap_addr;
    uint32_t end = mbi->mmap_addr + mbi->mmap_length;
    int index = 0;
    kprintf("mmap: %u bytes\n", mbi->mmap_length);
    while (addr < end) {
        const struct multiboot_mmap_entry *e = (const struct multiboot_mmap_entry *)addr;
        kprintf("mmap[%d]: base=%08x%08x length=%08x%08x type=%u\n", index, e->base_hi, e->base_lo,
                e->len_hi, e->len_lo, e->type);
        addr += e->size + sizeof(e->size);
        index++;
    }
}

int guest_main(const struct multiboot_info *mbi)
{
    kprintf("Hello from a Twinstep guest image!\n");
    kprintf("flags: %08x\n", mbi->flags);
    if (mbi->flags & MB_INFO_MEMORY) {
        kprintf("mem_lower: %u KiB\n", mbi->mem_lower);
        kprintf("mem_upper: %u KiB\n", mbi->mem_upper);
    }
    if (mbi->flags & MB_INFO_CMDLINE) {
        kprintf("cmdline: \"%s\"\n", (const char *)mbi->cmdline);
    }
    if (mbi->flags & MB_INFO_MMAP) {
        print_memory_map(mbi);
    }
    kprintf("bye\n");
    return 0;
}
