/*
 * Exception entry stubs, ring-3 entry/exit, and the ring-0 targets that ring-3 code reaches
 * through interrupt gates and a call gate.
 */
#define SEL_KDATA 0x10

    .text

/* Exceptions that push an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC. */
.macro STUB vec
    .globl isr_stub_\vec
isr_stub_\vec:
    .if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17)
    .else
    pushl $0
    .endif
    pushl $\vec
    jmp isr_common
.endm

    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,130
    STUB \vec
    .endr

isr_common:
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    pushal
    /* The probed code may have left a read-only or user segment in DS/ES; C needs its own. */
    movl $SEL_KDATA, %eax
    movw %ax, %ds
    movw %ax, %es
    cld
    pushl %esp
    call exception_dispatch
    addl $4, %esp
    popal
    popl %gs
    popl %fs
    popl %es
    popl %ds
    addl $8, %esp
    iret

    .data
    .align 4
    .globl isr_table
isr_table:
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long isr_stub_\vec
    .endr
    .fill 130 - 32, 4, 0
    .long isr_stub_130
    .fill 255 - 130, 4, 0

    .text
/*
 * void enter_user(void (*fn)(void), uint32_t user_stack_top, uint32_t eflags)
 * Runs fn at CPL 3 on the given stack; fn must end with INT VEC_LEAVE_USER, which returns here.
 */
    .globl enter_user
enter_user:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, saved_kernel_esp
    movl 20(%esp), %ecx
    movl 24(%esp), %edx
    movl 28(%esp), %eax
    pushl $0x23
    pushl %edx
    pushl %eax
    pushl $0x1B
    pushl %ecx
    movl $0x23, %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    iret

/* INT 0x81 from ring 3: drop the ring-3 frame and return from enter_user. */
    .globl leave_user_handler
leave_user_handler:
    movl $SEL_KDATA, %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movl saved_kernel_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

/*
 * INT 0x80 from ring 3: records where the CPU put the ring-0 stack and what it pushed, then
 * returns EAX * 2 + 1 to ring 3.
 */
    .globl syscall_handler
syscall_handler:
    movl %esp, syscall_entry_esp
    pushl %ecx
    movl 4(%esp), %ecx
    movl %ecx, syscall_frame
    movl 8(%esp), %ecx
    movl %ecx, syscall_frame + 4
    movl 12(%esp), %ecx
    movl %ecx, syscall_frame + 8
    movl 16(%esp), %ecx
    movl %ecx, syscall_frame + 12
    movl 20(%esp), %ecx
    movl %ecx, syscall_frame + 16
    xorl %ecx, %ecx
    movw %ss, %cx
    movl %ecx, syscall_ss
    popl %ecx
    leal 1(%eax,%eax), %eax
    iret

/*
 * Call-gate target (2 dword parameters). Records the frame the gate built and the stack it ran on,
 * then returns popping the parameters.
 */
    .globl callgate_target
callgate_target:
    movl %esp, callgate_entry_esp
    pushl %ecx
    movl 4(%esp), %ecx
    movl %ecx, callgate_frame
    movl 8(%esp), %ecx
    movl %ecx, callgate_frame + 4
    movl 12(%esp), %ecx
    movl %ecx, callgate_frame + 8
    movl 16(%esp), %ecx
    movl %ecx, callgate_frame + 12
    movl 20(%esp), %ecx
    movl %ecx, callgate_frame + 16
    movl 24(%esp), %ecx
    movl %ecx, callgate_frame + 20
    xorl %ecx, %ecx
    movw %ss, %cx
    movl %ecx, callgate_ss
    movw %cs, %cx
    movl %ecx, callgate_cs
    popl %ecx
    lret $8

/*
 * Entry of the second task. Each run records what the task switch loaded, then goes back:
 * IRET when it was CALLed (NT set), a JMP to the main TSS otherwise.
 */
    .globl task2_entry
task2_entry:
    pushfl
    popl task2_eflags
    strw task2_tr
    movl %eax, task2_eax
    xorl %ecx, %ecx
    movw %ss, %cx
    movl %ecx, task2_ss
    incl task2_runs
    testl $0x4000, task2_eflags
    jz 1f
    iret
    jmp task2_entry
1:  ljmp $0x28, $0
    jmp task2_entry

    .bss
    .align 4
saved_kernel_esp:
    .long 0
    .globl syscall_entry_esp, syscall_frame, syscall_ss
syscall_entry_esp:
    .long 0
syscall_frame:
    .skip 20
syscall_ss:
    .long 0
    .globl callgate_entry_esp, callgate_frame, callgate_ss, callgate_cs
callgate_entry_esp:
    .long 0
callgate_frame:
    .skip 24
callgate_ss:
    .long 0
callgate_cs:
    .long 0
    .globl task2_eflags, task2_tr, task2_eax, task2_ss, task2_runs
task2_eflags:
    .long 0
task2_tr:
    .long 0
task2_eax:
    .long 0
task2_ss:
    .long 0
task2_runs:
    .long 0
