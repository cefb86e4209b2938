/*
 * Boot sector for running a guest image under Bochs, which has no multiboot loader.
 *
 * Floppy layout: sector 0 this code, sector 1 the command line (NUL-terminated), sectors 2..
 * the payload: a flat binary linked at 0x10000 whose first dword is its entry point (bochs.ld).
 * Loads both with the BIOS, enables A20, enters 32-bit protected mode with flat segments and
 * jumps to the entry with EAX = multiboot magic and EBX = a multiboot info carrying only the
 * command line, so the payload runs exactly as under a multiboot loader.
 */
#define PAYLOAD_SECTORS 120
#define CMDLINE_ADDR 0x9000
#define MBI_ADDR 0x8F00
#define PAYLOAD_SEGMENT 0x1000
#define SECTORS_PER_TRACK 18
#define HEADS 2

    .code16
    .text
    .globl boot
boot:
    cli
    xorw %ax, %ax
    movw %ax, %ds
    movw %ax, %ss
    movw $0x7C00, %sp
    ljmp $0, $reload_cs
reload_cs:
    movb %dl, boot_drive
    sti

    movw $1, %si
    movw $(CMDLINE_ADDR >> 4), %ax
    call read_sector

    movw $2, %si
    movw $PAYLOAD_SEGMENT, %ax
    movw $PAYLOAD_SECTORS, %cx
1:  call read_sector
    incw %si
    addw $(512 >> 4), %ax
    loop 1b

    cli
    inb $0x92, %al          /* fast A20 */
    orb $0x02, %al
    andb $0xFE, %al
    outb %al, $0x92
    lgdtl gdt_descriptor
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, $protected_mode

/* Reads LBA %si into %ax:0000 (1.44 MB floppy geometry); keeps %ax, %cx, %si. */
read_sector:
    pushw %ax
    pushw %cx
    pushw %si
    movw %ax, %es
    movw $3, %di            /* attempts */
2:  movw %si, %ax
    xorw %dx, %dx
    movw $SECTORS_PER_TRACK, %bx
    divw %bx                /* ax = track index, dx = sector - 1 */
    movb %dl, %cl
    incb %cl
    xorw %dx, %dx
    movw $HEADS, %bx
    divw %bx                /* ax = cylinder, dx = head */
    movb %al, %ch
    movb %dl, %dh
    movb boot_drive, %dl
    xorw %bx, %bx
    movw $0x0201, %ax
    int $0x13
    jnc 3f
    xorw %ax, %ax           /* reset the controller and retry */
    movb boot_drive, %dl
    int $0x13
    decw %di
    jnz 2b
    movw $disk_error, %si
    call print16
4:  hlt
    jmp 4b
3:  popw %si
    popw %cx
    popw %ax
    ret

print16:
    lodsb
    testb %al, %al
    jz 5f
    movb $0x0E, %ah
    xorw %bx, %bx
    int $0x10
    jmp print16
5:  ret

    .code32
protected_mode:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
    movl $0x7C00, %esp
    movl $MBI_ADDR, %edi
    xorl %eax, %eax
    movl $22, %ecx
    rep stosl
    movl $MBI_ADDR, %ebx
    movl $0x4, (%ebx)       /* flags: command line present */
    movl $CMDLINE_ADDR, 16(%ebx)
    movl $0x2BADB002, %eax
    jmp *0x10000            /* first payload dword: its entry point */

    .align 8
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF
    .quad 0x00CF92000000FFFF
gdt_descriptor:
    .word gdt_descriptor - gdt - 1
    .long gdt
boot_drive:
    .byte 0
disk_error:
    .asciz "disk read error"

    .org 510
    .word 0xAA55
