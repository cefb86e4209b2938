/* Self-modifying code: rewrite an instruction that already ran, and one just ahead in the stream. */
#include "cpucheck.h"

/* mov $imm32, %eax; ret — lives in .data so it can be patched. */
__asm__(".data\n"
        ".globl smc_routine\n"
        "smc_routine:\n\t"
        "movl $0x11111111, %eax\n\t"
        "ret\n"
        ".text\n");
extern uint8_t smc_routine[];

static uint32_t call_routine(void)
{
    uint32_t v;
    __asm__ volatile("call smc_routine" : "=a"(v) : : "ecx", "edx", "memory");
    return v;
}

/* Patches the immediate of an instruction a few bytes ahead of the store, in the same routine. */
__asm__(".data\n"
        ".globl smc_inline\n"
        "smc_inline:\n\t"
        "movl $0x22222222, smc_inline_imm\n\t"
        "movl $0x0, %eax\n"
        "smc_inline_imm = . - 4\n\t"
        "ret\n"
        ".text\n");

static uint32_t call_inline(void)
{
    uint32_t v;
    __asm__ volatile("call smc_inline" : "=a"(v) : : "ecx", "edx", "memory");
    return v;
}

void check_smc(void)
{
    uint32_t first = call_routine();
    uint32_t patched_value = 0x33333333;
    memcpy(smc_routine + 1, &patched_value, 4);
    uint32_t second = call_routine();
    smc_routine[0] = 0xB9; /* mov $imm32, %ecx: EAX now keeps what it had */
    uint32_t third;
    __asm__ volatile("movl $0x44444444, %%eax\n\tcall smc_routine" : "=a"(third) : : "ecx", "edx", "memory");
    smc_routine[0] = 0xB8;
    kprintf("smc patched routine: %08x %08x %08x\n", first, second, third);
    kprintf("smc next instruction: %08x\n", call_inline());
    kprintf("smc next instruction again: %08x\n", call_inline());
}
