/*
 * Multiboot v1 header and entry point shared by every guest image.
 * The loader enters in 32-bit protected mode with flat segments, EAX = magic, EBX = info pointer.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, provide memory info */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .globl _start
_start:
    cli
    cld
    movl $stack_top, %esp
    /* Keep the loader's registers across the BSS clear. */
    movl %eax, %esi
    movl %ebx, %edx
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb
    pushl %edx
    pushl %esi
    call guest_start
    /* guest_start never returns; stop here if it does. */
1:  hlt
    jmp 1b

    .bss
    .align 16
    .globl stack_bottom
stack_bottom:
    .skip 65536
    .globl stack_top
stack_top:
