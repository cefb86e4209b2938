/*
 * IDT entry stubs: CPU exceptions (0-31) report and stop the guest; vectors 0x20-0x2F are the
 * remapped PIC lines and go to irq_dispatch with every register saved.
 */
    .text

.macro EXC vec
    .globl exc_stub_\vec
exc_stub_\vec:
    .if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17)
    .else
    pushl $0
    .endif
    pushl $\vec
    jmp exc_common
.endm

    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    EXC \vec
    .endr

/* Stack: vector, error code, EIP, CS, EFLAGS. */
exc_common:
    cld
    pushl %esp
    call exception_report
1:  cli
    hlt
    jmp 1b

.macro IRQ line
    .globl irq_stub_\line
irq_stub_\line:
    pushl $\line
    jmp irq_common
.endm

    .irp line, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    IRQ \line
    .endr

irq_common:
    pushal
    cld
    pushl 32(%esp)
    call irq_dispatch
    addl $4, %esp
    popal
    addl $4, %esp
    iret

    .section .rodata
    .align 4
    .globl exc_stub_table
exc_stub_table:
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long exc_stub_\vec
    .endr
    .globl irq_stub_table
irq_stub_table:
    .irp line, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .long irq_stub_\line
    .endr
