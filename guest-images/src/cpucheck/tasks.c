/* Hardware task switches: JMP to a TSS, CALL through a task gate and IRET back via the back link. */
#include "cpucheck.h"

extern volatile uint32_t task2_eflags, task2_tr, task2_eax, task2_ss, task2_runs;

static uint32_t descriptor_type(uint32_t selector)
{
    return (uint32_t)(gdt[selector >> 3] >> 40) & 0xF;
}

static uint32_t read_tr(void)
{
    uint32_t tr = 0;
    __asm__ volatile("strw %w0" : "+r"(tr));
    return tr & 0xFFFF;
}

void check_tasks(void)
{
    tss_main_block.tss.cr3 = read_cr3();
    tss_task2.cr3 = read_cr3();
    kprintf("before switch: tr=%04x main type=%x task2 type=%x\n", read_tr(), descriptor_type(SEL_TSS_MAIN),
            descriptor_type(SEL_TSS_TASK2));

    /* Registers survive the round trip because the switch saves them in the main TSS. */
    uint32_t kept_ebx = 0x0B0B0B0B, kept_esi = 0x51515151;
    __asm__ volatile("ljmp $0x30, $0" : "+b"(kept_ebx), "+S"(kept_esi) : : "eax", "ecx", "edx", "memory", "cc");
    kprintf("jmp to tss: runs=%u tr in task=%04x eax in task=%08x nt=%u ss=%04x back link=%04x\n", task2_runs,
            task2_tr & 0xFFFF, task2_eax, (task2_eflags & FL_NT) != 0, task2_ss, tss_task2.link);
    kprintf("after jmp back: tr=%04x main type=%x task2 type=%x regs kept=%u\n", read_tr(),
            descriptor_type(SEL_TSS_MAIN), descriptor_type(SEL_TSS_TASK2),
            kept_ebx == 0x0B0B0B0B && kept_esi == 0x51515151);

    tss_task2.eax = 0x600D;
    __asm__ volatile("lcall $0x58, $0" : "+b"(kept_ebx), "+S"(kept_esi) : : "eax", "ecx", "edx", "memory", "cc");
    uint32_t flags;
    __asm__ volatile("pushfl\n\tpopl %0" : "=r"(flags));
    kprintf("call through task gate: runs=%u tr in task=%04x nt in task=%u back link=%04x\n", task2_runs,
            task2_tr & 0xFFFF, (task2_eflags & FL_NT) != 0, tss_task2.link & 0xFFFF);
    kprintf("after iret back: tr=%04x nt=%u main type=%x task2 type=%x regs kept=%u\n", read_tr(),
            (flags & FL_NT) != 0, descriptor_type(SEL_TSS_MAIN), descriptor_type(SEL_TSS_TASK2),
            kept_ebx == 0x0B0B0B0B && kept_esi == 0x51515151);

    fault_clear();
    __asm__ volatile(TRY_BEGIN "ljmp $0x28, $0" TRY_END ::: "memory");
    fault_report("jmp to busy tss");
}
