/* Shared declarations of the cpucheck image: descriptor tables, fault capture, check groups. */
#ifndef TWINSTEP_CPUCHECK_H
#define TWINSTEP_CPUCHECK_H

#include "guest.h"

#define FL_CF 0x001u
#define FL_PF 0x004u
#define FL_AF 0x010u
#define FL_ZF 0x040u
#define FL_SF 0x080u
#define FL_OF 0x800u
#define FL_ALL (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define FL_NT 0x4000u

/* Selectors; see desc.c for what each descriptor is. */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x1B
#define SEL_UDATA 0x23
#define SEL_TSS_MAIN 0x28
#define SEL_TSS_TASK2 0x30
#define SEL_RODATA 0x38
#define SEL_NOTPRESENT 0x40
#define SEL_CALLGATE 0x48
#define SEL_SMALLDATA 0x50
#define SEL_TASKGATE 0x58
#define SEL_XONLY_CODE 0x60
#define GDT_ENTRIES 13

#define VEC_SYSCALL 0x80   /* DPL3 interrupt gate: echo service for ring 3 */
#define VEC_LEAVE_USER 0x81 /* DPL3 interrupt gate: back to the ring-0 caller of enter_user */
#define VEC_KERNEL_ONLY 0x82 /* DPL0 gate: INT from ring 3 must raise #GP */

#define NO_FAULT 0xFFFFFFFFu

/** What the last recovered exception looked like. */
struct fault_record {
    uint32_t vector;
    uint32_t error;
    uint32_t eip;
    uint32_t cr2;
    uint32_t cs;
};

/** The frame the exception stubs build before calling exception_dispatch. */
struct trap_frame {
    uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
    uint32_t gs, fs, es, ds;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss; /* only when coming from ring 3 */
};

struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};

extern volatile struct fault_record fault;
/* Set by the TRY sequence: where the probed instruction starts and where to resume after a fault. */
extern volatile uint32_t fault_start_eip;
extern volatile uint32_t fault_recover_eip;

extern uint64_t gdt[GDT_ENTRIES];
/** A TSS followed by its I/O permission bitmap (plus the required trailing 0xFF byte). */
struct tss_block {
    struct tss tss;
    uint8_t iomap[8192 + 1];
} __attribute__((packed));

extern struct tss_block tss_main_block;
extern struct tss tss_task2;

/*
 * Inline-asm fragments around a probed instruction: a fault inside resumes right after it with
 * the fault recorded in `fault`. Use only inside one asm statement (labels are unique per statement).
 * TRY_END goes through SS because the probe may have left a null or read-only selector in DS.
 */
#define TRY_BEGIN "movl $.Ltry_start%=, fault_start_eip\n\tmovl $.Ltry_end%=, fault_recover_eip\n.Ltry_start%=:\n\t"
#define TRY_END "\n.Ltry_end%=:\n\tmovl $0, %%ss:fault_recover_eip\n\t"

void fault_clear(void);
/** Prints "name: no fault" or the recorded vector, error code, EIP offset (and CR2 for #PF). */
void fault_report(const char *name);

void desc_init(void);
void gdt_set_present(int index, int present);
uint32_t read_cr0(void);
uint32_t read_cr2(void);
uint32_t read_cr3(void);
uint32_t read_cr4(void);
void write_cr0(uint32_t v);
void write_cr3(uint32_t v);
void write_cr4(uint32_t v);

/* vectors.S */
void enter_user(void (*fn)(void), uint32_t user_stack_top, uint32_t eflags);
void exception_dispatch(struct trap_frame *frame);
extern uint32_t isr_table[256];

void check_alu(void);
void check_muldiv_bcd(void);
void check_bits(void);
void check_strings(void);
void check_misc(void);
void check_faults(void);
void check_paging(void);
void check_privilege(void);
void check_tasks(void);
void check_smc(void);

#endif
