/*
 * Paging: page faults with CR2 and error codes, CR0.WP, accessed/dirty bits, 4 MiB pages and
 * INVLPG. Paging stays on afterwards (identity-mapped low 8 MiB) for the privilege checks.
 */
#include "cpucheck.h"
#include "paging.h"

#define PTE_P 0x001u
#define PTE_RW 0x002u
#define PTE_US 0x004u
#define PTE_A 0x020u
#define PTE_D 0x040u
#define PDE_PS 0x080u
#define CR0_PG 0x80000000u
#define CR0_WP 0x00010000u
#define CR4_PSE 0x10u

static uint32_t page_directory[1024] __attribute__((aligned(4096)));
static uint32_t low_table[1024] __attribute__((aligned(4096)));
static uint32_t test_table[1024] __attribute__((aligned(4096)));
static uint32_t frame_a[1024] __attribute__((aligned(4096)));
static uint32_t frame_b[1024] __attribute__((aligned(4096)));

#define TEST_PDE (VA_TEST_BASE >> 22)
#define BIG_PDE (VA_BIG_PAGE >> 22)
#define PTE_INDEX(va) (((va) >> 12) & 0x3FF)

static void invlpg(uint32_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static uint32_t read_va(uint32_t va)
{
    return *(volatile uint32_t *)va;
}

static void build_tables(void)
{
    for (uint32_t i = 0; i < 1024; i++) {
        low_table[i] = (i << 12) | PTE_P | PTE_RW | PTE_US;
    }
    memset(test_table, 0, sizeof(test_table));
    test_table[PTE_INDEX(VA_SUPERVISOR)] = (uint32_t)frame_a | PTE_P | PTE_RW;
    test_table[PTE_INDEX(VA_READONLY)] = (uint32_t)frame_b | PTE_P;
    test_table[PTE_INDEX(VA_USER_READONLY)] = (uint32_t)frame_b | PTE_P | PTE_US;
    test_table[PTE_INDEX(VA_USER_RW)] = (uint32_t)frame_a | PTE_P | PTE_RW | PTE_US;
    /* VA_NOT_PRESENT stays 0. */
    memset(page_directory, 0, sizeof(page_directory));
    page_directory[0] = (uint32_t)low_table | PTE_P | PTE_RW | PTE_US;
    page_directory[1] = 0x00400000u | PDE_PS | PTE_P | PTE_RW | PTE_US;
    page_directory[TEST_PDE] = (uint32_t)test_table | PTE_P | PTE_RW | PTE_US;
    page_directory[BIG_PDE] = 0x00400000u | PDE_PS | PTE_P | PTE_RW;
}

static void probe_read(const char *name, uint32_t va)
{
    uint32_t value = 0;
    fault_clear();
    __asm__ volatile(TRY_BEGIN "movl (%1), %0" TRY_END : "+r"(value) : "r"(va) : "memory");
    fault_report(name);
}

static void probe_write(const char *name, uint32_t va, uint32_t value)
{
    fault_clear();
    __asm__ volatile(TRY_BEGIN "movl %1, (%0)" TRY_END : : "r"(va), "r"(value) : "memory");
    fault_report(name);
}

uint32_t paging_directory(void)
{
    return (uint32_t)page_directory;
}

void check_paging(void)
{
    build_tables();
    frame_a[0] = 0xAAAA0000;
    frame_b[0] = 0xBBBB0000;
    write_cr4(read_cr4() | CR4_PSE);
    write_cr3((uint32_t)page_directory);
    write_cr0(read_cr0() | CR0_PG);
    kprintf("paging on: cr0&pg|wp|pe=%08x cr4&pse=%x\n", read_cr0() & (CR0_PG | CR0_WP | 1), read_cr4() & CR4_PSE);
    kprintf("read user rw: %08x supervisor: %08x user ro: %08x\n", read_va(VA_USER_RW), read_va(VA_SUPERVISOR),
            read_va(VA_USER_READONLY));

    probe_read("read not present", VA_NOT_PRESENT + 0x10);
    probe_write("write not present", VA_NOT_PRESENT + 0x14, 1);
    probe_read("read unmapped pde", 0x01000000u + 0x20);
    fault_clear();
    __asm__ volatile(TRY_BEGIN "jmp *%0" TRY_END : : "r"(VA_NOT_PRESENT) : "memory");
    fault_report("fetch not present");

    probe_write("write read-only wp=0", VA_READONLY + 0x10, 0x0B0B0B0B);
    kprintf("write read-only wp=0: frame=%08x\n", frame_b[4]);
    write_cr0(read_cr0() | CR0_WP);
    probe_write("write read-only wp=1", VA_READONLY + 0x18, 0x0C0C0C0C);
    kprintf("write read-only wp=1: frame=%08x\n", frame_b[6]);
    probe_read("read read-only wp=1", VA_READONLY + 0x18);

    uint32_t *pte = &test_table[PTE_INDEX(VA_USER_RW)];
    *pte &= ~(PTE_A | PTE_D);
    page_directory[TEST_PDE] &= ~(PTE_A | PTE_D);
    invlpg(VA_USER_RW);
    kprintf("a/d before: pte=%03x pde=%03x\n", *pte & 0xFFF, page_directory[TEST_PDE] & 0xFFF);
    (void)read_va(VA_USER_RW + 8);
    kprintf("a/d after read: pte=%03x pde=%03x\n", *pte & 0xFFF, page_directory[TEST_PDE] & 0xFFF);
    *(volatile uint32_t *)(VA_USER_RW + 8) = 0x5EED;
    kprintf("a/d after write: pte=%03x pde=%03x frame=%08x\n", *pte & 0xFFF, page_directory[TEST_PDE] & 0xFFF,
            frame_a[2]);

    page_directory[BIG_PDE] &= ~(PTE_A | PTE_D);
    invlpg(VA_BIG_PAGE + 0x1000);
    (void)read_va(VA_BIG_PAGE + 0x1234);
    kprintf("4m page after read: pde=%03x\n", page_directory[BIG_PDE] & 0xFFF);
    *(volatile uint32_t *)(VA_BIG_PAGE + 0x1234) = 0x4D4D4D4D;
    kprintf("4m page after write: pde=%03x identity=%08x\n", page_directory[BIG_PDE] & 0xFFF,
            read_va(0x00400000u + 0x1234));
    *(volatile uint32_t *)(0x00400000u + 0x3FFFFC) = 0x1F1F1F1F;
    kprintf("4m page last dword: %08x\n", read_va(VA_BIG_PAGE + 0x3FFFFC));

    *pte = (uint32_t)frame_b | PTE_P | PTE_RW | PTE_US;
    invlpg(VA_USER_RW);
    kprintf("invlpg remap to b: %08x\n", read_va(VA_USER_RW));
    *pte = (uint32_t)frame_a | PTE_P | PTE_RW | PTE_US;
    write_cr3(read_cr3());
    kprintf("cr3 reload remap to a: %08x\n", read_va(VA_USER_RW));
    *pte = 0;
    invlpg(VA_USER_RW);
    probe_read("read after unmap+invlpg", VA_USER_RW);
    *pte = (uint32_t)frame_a | PTE_P | PTE_RW | PTE_US;
    invlpg(VA_USER_RW);
}
