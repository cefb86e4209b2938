/*
 * smc: self-modifying code, the cases that break emulators caching translated code: patching a
 * routine that already ran many times, a store that rewrites the next instruction of its own
 * block, writes through a second virtual mapping of the code page, REP MOVSB over code, an
 * instruction straddling two pages, and data writes that share a page with code.
 */
#include "guest.h"

#define PAGE 4096u
#define ALIAS_VA 0x00800000u /* maps the code arena's pages a second time */

/* Three pages of writable code, filled at run time. */
static uint8_t arena[3 * PAGE] __attribute__((aligned(4096), section(".data.arena")));
static uint32_t page_directory[1024] __attribute__((aligned(4096)));
static uint32_t identity_table[1024] __attribute__((aligned(4096)));
static uint32_t alias_table[1024] __attribute__((aligned(4096)));

typedef uint32_t (*routine_fn)(void);

static uint8_t *emit_mov_eax(uint8_t *p, uint32_t imm)
{
    *p++ = 0xB8;
    memcpy(p, &imm, 4);
    return p + 4;
}

static uint8_t *emit_ret(uint8_t *p)
{
    *p++ = 0xC3;
    return p;
}

static uint32_t call(const void *code)
{
    return ((routine_fn)(uintptr_t)code)();
}

static void patch_imm(uint8_t *mov_insn, uint32_t imm)
{
    memcpy(mov_insn + 1, &imm, 4);
}

static void check_hot_routine(void)
{
    uint8_t *r = arena;
    emit_ret(emit_mov_eax(r, 3));
    uint32_t before = 0;
    for (int i = 0; i < 1000; i++) {
        before += call(r);
    }
    patch_imm(r, 5);
    uint32_t after = 0;
    for (int i = 0; i < 1000; i++) {
        after += call(r);
    }
    kprintf("hot routine patched after 1000 calls: %u then %u\n", before, after);
}

/* incl imm_of_next_mov; mov $imm, %eax; ret: each call sees the increment made just before. */
static void check_store_into_own_block(void)
{
    uint8_t *r = arena + 64;
    uint8_t *mov = r + 6;
    r[0] = 0xFF; /* incl disp32 */
    r[1] = 0x05;
    uint32_t target = (uint32_t)(mov + 1);
    memcpy(r + 2, &target, 4);
    emit_ret(emit_mov_eax(mov, 100));
    kprintf("store into own block:");
    for (int i = 0; i < 5; i++) {
        kprintf(" %u", call(r));
    }
    kprintf("\n");
}

static void paging_on(void)
{
    for (uint32_t i = 0; i < 1024; i++) {
        identity_table[i] = (i * PAGE) | 0x3;
    }
    memset(alias_table, 0, sizeof(alias_table));
    for (uint32_t i = 0; i < 3; i++) {
        alias_table[i] = ((uint32_t)arena + i * PAGE) | 0x3;
    }
    memset(page_directory, 0, sizeof(page_directory));
    page_directory[0] = (uint32_t)identity_table | 0x3;
    page_directory[ALIAS_VA >> 22] = (uint32_t)alias_table | 0x3;
    __asm__ volatile("movl %0, %%cr3\n\t"
                     "movl %%cr0, %%eax\n\t"
                     "orl $0x80000000, %%eax\n\t"
                     "movl %%eax, %%cr0"
                     : : "r"(page_directory) : "eax", "memory");
}

static void check_alias_write(void)
{
    uint8_t *r = arena + 128;
    emit_ret(emit_mov_eax(r, 0x1111));
    uint32_t first = call(r);
    uint8_t *alias = (uint8_t *)(ALIAS_VA + (uint32_t)(r - arena));
    patch_imm(alias, 0x2222);
    uint32_t second = call(r);
    /* And the other way round: run through the alias after writing through the identity map. */
    uint32_t via_alias = call(alias);
    patch_imm(r, 0x3333);
    uint32_t via_alias_after = call(alias);
    kprintf("write through alias mapping: %08x %08x, run through alias: %08x %08x\n", first, second, via_alias,
            via_alias_after);
}

static void check_rep_movs_over_code(void)
{
    uint8_t *r = arena + 192;
    uint8_t replacement[16];
    emit_ret(emit_mov_eax(r, 0xAAAA));
    uint32_t first = call(r);
    uint8_t *end = emit_ret(emit_mov_eax(replacement, 0xBBBB));
    uint32_t length = (uint32_t)(end - replacement);
    const uint8_t *source = replacement;
    __asm__ volatile("cld\n\trep movsb" : "+S"(source), "+D"(r), "+c"(length) : : "memory");
    uint32_t second = call(arena + 192);
    kprintf("rep movsb over code: %08x %08x\n", first, second);
}

static void check_page_straddling_instruction(void)
{
    /* The opcode is the last byte of page 0, the immediate lies in page 1. */
    uint8_t *mov = arena + PAGE - 1;
    emit_ret(emit_mov_eax(mov, 0x0F0F0F0F));
    uint32_t first = call(mov);
    patch_imm(mov, 0x1E1E1E1E);
    uint32_t second = call(mov);
    uint8_t *alias_imm = (uint8_t *)(ALIAS_VA + PAGE);
    uint32_t third_imm = 0x2D2D2D2D;
    memcpy(alias_imm, &third_imm, 4);
    uint32_t third = call(mov);
    kprintf("instruction across a page boundary: %08x %08x %08x\n", first, second, third);
}

/* A counter in the same page as the routine that reads it: writes must not corrupt the code. */
static void check_data_next_to_code(void)
{
    uint8_t *r = arena + 2 * PAGE;
    volatile uint32_t *counter = (volatile uint32_t *)(arena + 2 * PAGE + 2048);
    *counter = 0;
    r[0] = 0xA1; /* movl counter, %eax */
    uint32_t address = (uint32_t)counter;
    memcpy(r + 1, &address, 4);
    emit_ret(r + 5);
    uint32_t sum = 0;
    for (uint32_t i = 1; i <= 500; i++) {
        *counter = i;
        sum += call(r);
    }
    kprintf("data writes next to code: sum=%u\n", sum);
}

/* A jmp whose displacement is rewritten between calls to pick the other exit. */
static void check_patched_branch(void)
{
    uint8_t *r = arena + 256;
    r[0] = 0xEB; /* jmp rel8: 0 lands on the first exit, the patch skips to the second */
    r[1] = 0x00;
    uint8_t *first_exit = r + 2;
    uint8_t *second_exit = emit_ret(emit_mov_eax(first_exit, 1));
    emit_ret(emit_mov_eax(second_exit, 2));
    uint32_t a = call(r);
    r[1] = (uint8_t)(second_exit - first_exit);
    uint32_t b = call(r);
    r[1] = 0;
    uint32_t c = call(r);
    kprintf("patched branch: %u %u %u\n", a, b, c);
}

int guest_main(const struct multiboot_info *mbi)
{
    (void)mbi;
    kprintf("smc: start\n");
    check_hot_routine();
    check_store_into_own_block();
    check_rep_movs_over_code();
    check_patched_branch();
    check_data_next_to_code();
    paging_on();
    kprintf("paging on\n");
    check_alias_write();
    check_page_straddling_instruction();
    check_hot_routine();
    kprintf("smc: done\n");
    return 0;
}
