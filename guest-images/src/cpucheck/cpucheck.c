/*
 * cpucheck: a protected-mode CPU self-check. Each line shows observed values (not just pass/fail),
 * so the transcript can be compared with the one recorded under QEMU.
 */
#include "cpucheck.h"

int guest_main(const struct multiboot_info *mbi)
{
    (void)mbi;
    desc_init();
    kprintf("cpucheck: start\n");
    check_alu();
    check_muldiv_bcd();
    check_bits();
    check_strings();
    check_faults();
    check_smc();
    check_paging();
    check_privilege();
    check_tasks();
    kprintf("cpucheck: done\n");
    return 0;
}
