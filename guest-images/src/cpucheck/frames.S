/*
 * ENTER/LEAVE and PUSHA/POPA probes. They run on a private stack so every offset they report is
 * fixed, and touch EBP and all general registers, which inline asm cannot do safely.
 */
    .text

/* void enter_leave_probe(uint32_t out[12]) */
    .globl enter_leave_probe
enter_leave_probe:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %edi
    movl %esp, %esi
    movl $probe_top - 64, %esp
    movl $probe_top - 16, %ebp
    movl $0xF0F00001, -4(%ebp)
    movl $0xF0F00002, -8(%ebp)
    movl $0xF0F0000F, (%esp)

    enter $16, $0
    movl $probe_top, %eax
    subl %esp, %eax
    movl %eax, 0(%edi)
    movl $probe_top, %eax
    subl %ebp, %eax
    movl %eax, 4(%edi)
    movl $probe_top, %eax
    subl (%ebp), %eax
    movl %eax, 8(%edi)
    leave

    enter $8, $3
    movl $probe_top, %eax
    subl %esp, %eax
    movl %eax, 12(%edi)
    movl $probe_top, %eax
    subl %ebp, %eax
    movl %eax, 16(%edi)
    movl $probe_top, %eax
    subl (%ebp), %eax
    movl %eax, 20(%edi)
    movl -4(%ebp), %eax
    movl %eax, 24(%edi)
    movl -8(%ebp), %eax
    movl %eax, 28(%edi)
    movl $probe_top, %eax
    subl -12(%ebp), %eax
    movl %eax, 32(%edi)
    movl 4(%ebp), %eax
    movl %eax, 36(%edi)
    leave
    movl $probe_top, %eax
    subl %esp, %eax
    movl %eax, 40(%edi)
    movl $probe_top, %eax
    subl %ebp, %eax
    movl %eax, 44(%edi)

    movl %esi, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

/* void pusha_probe(uint32_t out[18]) */
    .globl pusha_probe
pusha_probe:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %eax
    movl %eax, probe_out
    movl %esp, probe_saved_esp
    movl $probe_top, %esp
    movl $0xA0A0A0A0, %eax
    movl $0xC1C1C1C1, %ecx
    movl $0xD2D2D2D2, %edx
    movl $0xB3B3B3B3, %ebx
    movl $0xE5E5E5E5, %ebp
    movl $0xF6F6F6F6, %esi
    movl $0x07070707, %edi
    pushal
    movl probe_out, %eax
    .irp slot, 0, 4, 8, 16, 20, 24, 28
    movl \slot(%esp), %ecx
    movl %ecx, \slot(%eax)
    .endr
    movl 12(%esp), %ecx
    subl %esp, %ecx
    movl %ecx, 12(%eax)
    /* POPA must skip the saved ESP slot. */
    movl $0x12345678, 12(%esp)
    xorl %eax, %eax
    xorl %ecx, %ecx
    xorl %edx, %edx
    xorl %ebx, %ebx
    xorl %ebp, %ebp
    xorl %esi, %esi
    xorl %edi, %edi
    popal
    pushl %eax
    movl probe_out, %eax
    movl %edi, 32(%eax)
    movl %esi, 36(%eax)
    movl %ebp, 40(%eax)
    movl %ebx, 44(%eax)
    movl %edx, 48(%eax)
    movl %ecx, 52(%eax)
    movl (%esp), %ecx
    movl %ecx, 56(%eax)
    leal 4(%esp), %ecx
    subl $probe_top - 32, %ecx
    movl %ecx, 60(%eax)

    movl $probe_top, %esp
    movl $0x11112222, %eax
    pushw %ax
    popw %ax
    movl $probe_top, %esp
    pushaw
    movl $probe_top, %ecx
    subl %esp, %ecx
    movl %ecx, probe_tmp
    movl $0, %eax
    popaw
    movl probe_out, %ecx
    movl %eax, 68(%ecx)
    movl probe_tmp, %eax
    movl %eax, 64(%ecx)

    movl probe_saved_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .bss
    .align 16
probe_stack:
    .skip 1024
probe_top:
probe_out:
    .long 0
probe_saved_esp:
    .long 0
probe_tmp:
    .long 0
