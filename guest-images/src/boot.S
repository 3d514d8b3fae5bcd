/*
 * pvtest boot code: Multiboot v1 + PVH entry (32-bit protected mode),
 * long-mode switch, IDT stubs and the AP (SMP) trampoline.
 * Assembled as an x86-64 object; the final image is converted to ELF32.
 */
#define MB_MAGIC      0x1BADB002
#define MB_FLAGS      0x00000003      /* bit0: page-align modules, bit1: memory info */
#define MB_BOOT_MAGIC 0x2BADB002
#define PVH_MAGIC     0x336ec578
#define TRAMP_BASE    0x8000
#define AP_STACK_SIZE 4096           /* APs run C code (smp.c) */
#define BSS_STACKS    64             /* kernel.h SMP_BSS_STACKS: APs 1..64 have .bss stacks */
#define HIGH_STACKS   0x200000       /* kernel.h SMP_HIGH_STACKS: APs 65.. have theirs from 2 MiB */

#define T(sym) ((sym) - tramp_start + TRAMP_BASE)

#ifndef NO_MULTIBOOT   /* NO_MULTIBOOT: test variant so QEMU takes the PVH path */
        .section .multiboot, "a"
        .align 4
mb_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)
#endif

        /* PVH entry: XEN_ELFNOTE_PHYS32_ENTRY (18) */
        .section .note.Xen, "a"
        .align 4
        .long 4                 /* namesz */
        .long 4                 /* descsz */
        .long 18                /* type   */
        .asciz "Xen"
        .long _start

        .section .text.boot, "ax"
        .code32
        .globl _start
_start:
        cli
        cld
        movl    %eax, %esi              /* keep magic */
        movl    %ebx, %edi              /* keep info pointer */

        /* zero .bss (page tables, counters; not the stacks: linker.ld) */
        movl    $__bss_start, %edi
        movl    $__bss_end, %ecx
        subl    %edi, %ecx
        shrl    $2, %ecx
        xorl    %eax, %eax
        rep stosl
        movl    %ebx, %edi

        movl    $bsp_stack_top, %esp

        /* PVH if EBX -> hvm_start_info magic (checked first: qboot, used by
         * QEMU microvm, enters PVH kernels with EAX=0x2BADB002 too; a multiboot
         * info block starts with a small flags word, never the PVH magic). */
        testl   %edi, %edi
        jz      1f
        cmpl    $PVH_MAGIC, (%edi)
        jne     1f
        movl    $2, boot_proto
        jmp     2f
1:      cmpl    $MB_BOOT_MAGIC, %esi
        jne     3f
        movl    $1, boot_proto
        jmp     2f
3:      movl    $0, boot_proto          /* unknown protocol */
2:      movl    %edi, boot_info
        movl    %esi, boot_magic

        /* page tables: PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3, 2 MiB pages, 4 GiB */
        movl    $pdpt, %eax
        orl     $0x7, %eax              /* P | RW | U/S */
        movl    %eax, pml4
        movl    $pd, %eax
        orl     $0x7, %eax              /* P | RW | U/S (PDPT[0] only) */
        movl    %eax, pdpt
        andl    $~0x4, %eax
        addl    $0x1000, %eax
        movl    %eax, pdpt+8
        addl    $0x1000, %eax
        movl    %eax, pdpt+16
        addl    $0x1000, %eax
        movl    %eax, pdpt+24

        movl    $pd, %edi
        xorl    %ecx, %ecx              /* entry index 0..2047 */
4:      movl    %ecx, %eax
        shll    $21, %eax
        orl     $0x83, %eax             /* P | RW | PS */
        cmpl    $1536, %ecx             /* >= 3 GiB: MMIO hole, uncached */
        jb      5f
        orl     $0x18, %eax             /* PWT | PCD */
5:      cmpl    $2, %ecx                /* first 4 MiB (kernel image): user-accessible */
        jae     10f
        orl     $0x4, %eax              /* U/S */
10:     movl    %eax, (%edi,%ecx,8)
        movl    $0, 4(%edi,%ecx,8)
        incl    %ecx
        cmpl    $2048, %ecx
        jb      4b

        lgdt    gdt_ptr
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    %ax, %fs
        movw    %ax, %gs
        ljmp    $0x08, $enter_long

        /* common 32-bit path (BSP and APs): PAE, CR3, EFER.LME, paging */
enter_long:
        movl    %cr4, %eax
        orl     $0x20, %eax             /* PAE */
        movl    %eax, %cr4
        movl    $pml4, %eax
        movl    %eax, %cr3
        movl    $0xC0000080, %ecx       /* EFER */
        rdmsr
        orl     $0x100, %eax            /* LME */
        wrmsr
        movl    %cr0, %eax
        orl     $0x80000001, %eax       /* PG | PE */
        movl    %eax, %cr0
        ljmp    $0x18, $long64

        .code64
long64:
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    %ax, %fs
        movw    %ax, %gs
        cmpl    $0, in_ap_boot
        jne     ap_long64
        movq    $bsp_stack_top, %rsp
        xorl    %ebp, %ebp
        movl    boot_proto, %edi
        movl    boot_info, %esi
        call    kmain
6:      cli
        hlt
        jmp     6b

ap_long64:
        movl    $1, %eax
        lock xaddl %eax, ap_next        /* unique slot */
        leal    1(%eax), %edi           /* cpu number for ap_main: 1.. */
        cmpl    ap_max_cpu, %edi        /* smp.c: the last cpu number whose stack is in RAM */
        ja      8f
        movl    %edi, %ecx
        imull   $AP_STACK_SIZE, %ecx
        cmpl    $BSS_STACKS, %edi
        ja      9f
        leaq    ap_stacks(%rip), %rsp
        addq    %rcx, %rsp              /* top of this AP's stack */
        jmp     11f
9:      leaq    HIGH_STACKS - BSS_STACKS * AP_STACK_SIZE(%rcx), %rsp  /* above the 2 MiB of .bss */
11:     xorl    %ebp, %ebp
        call    ap_main                 /* smp.c; never returns */
8:      lock incl ap_stranded           /* no stack for it: not online, counted apart (smp.c) */
7:      cli
        hlt
        jmp     7b

/* ------------------------------------------------------------------ */
/* AP trampoline: copied to TRAMP_BASE (below 1 MiB) and started by SIPI */
        .section .rodata.tramp, "a"
        .globl tramp_start, tramp_end
        .code16
tramp_start:
        cli
        cld
        xorw    %ax, %ax
        movw    %ax, %ds
        lgdtl   T(tramp_gdt_ptr)
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmpl   $0x08, $T(tramp32)
        .code32
tramp32:
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    %ax, %fs
        movw    %ax, %gs
        movl    $1, in_ap_boot
        ljmp    $0x08, $enter_long
        .align 4
tramp_gdt_ptr:
        .word   gdt_end - gdt - 1
        .long   gdt
tramp_end:

/* ------------------------------------------------------------------ */
        /* in .data: loading a selector sets its descriptor's accessed bit. user_mode.c copies
         * these entries into its own GDT, which adds the per-CPU TSS descriptors. */
        .data
        .align 16
        .globl gdt
gdt:
        .quad 0
        .quad 0x00cf9a000000ffff        /* 0x08: code32 */
        .quad 0x00cf92000000ffff        /* 0x10: data   */
        .quad 0x00af9a000000ffff        /* 0x18: code64 */
        .quad 0x00cff2000000ffff        /* 0x20: user data   (DPL3) */
        .quad 0x00affa000000ffff        /* 0x28: user code64 (DPL3, L=1) */
gdt_end:
        .section .rodata
        .align 4
        .word 0
gdt_ptr:
        .word gdt_end - gdt - 1
        .long gdt

/* ------------------------------------------------------------------ */
/* exception stubs */
        .text
        .code64
.macro EXC_NOERR n
        .align 16
exc\n:  pushq   $0
        pushq   $\n
        jmp     exc_common
.endm
.macro EXC_ERR n
        .align 16
exc\n:  pushq   $\n
        jmp     exc_common
.endm
        EXC_NOERR 0
        EXC_NOERR 1
        EXC_NOERR 2
        EXC_NOERR 3
        EXC_NOERR 4
        EXC_NOERR 5
        EXC_NOERR 6
        EXC_NOERR 7
        EXC_ERR   8
        EXC_NOERR 9
        EXC_ERR   10
        EXC_ERR   11
        EXC_ERR   12
        EXC_ERR   13
        EXC_ERR   14
        EXC_NOERR 15
        EXC_NOERR 16
        EXC_ERR   17
        EXC_NOERR 18
        EXC_NOERR 19
        EXC_NOERR 20
        EXC_ERR   21
        EXC_NOERR 22
        EXC_NOERR 23
        EXC_NOERR 24
        EXC_NOERR 25
        EXC_NOERR 26
        EXC_NOERR 27
        EXC_NOERR 28
        EXC_ERR   29
        EXC_ERR   30
        EXC_NOERR 31

/* interrupt stubs for vectors 32..255, 16 bytes apart (interrupts.c computes the addresses) */
        .align 16
        .globl irq_stubs
irq_stubs:
        .set vec, 32
        .rept 224
        .align 16
        pushq   $0
        pushq   $vec
        jmp     exc_common
        .set vec, vec + 1
        .endr

exc_common:
        /* stack: vector, error, rip, cs, rflags, rsp, ss; the handler may return
         * (a fixed-up fault, e.g. a guarded rdmsr): then resume at the frame's rip */
        pushq   %rax
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %rbx
        leaq    80(%rsp), %rdi
        movq    %rsp, %rbx
        andq    $-16, %rsp
        call    exception_handler
        movq    %rbx, %rsp
        popq    %rbx
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rax
        addq    $16, %rsp               /* vector, error */
        iretq

        .section .rodata
        .align 8
        .globl exc_stubs
exc_stubs:
        .irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad exc\n
        .endr

/* ------------------------------------------------------------------ */
        .data
        .align 4
        .globl boot_proto, boot_info, boot_magic, ap_online, in_ap_boot, ap_max_cpu, ap_stranded
boot_proto:  .long 0
boot_info:   .long 0
boot_magic:  .long 0
ap_online:   .long 0
ap_max_cpu:  .long BSS_STACKS           /* raised by smp_start when RAM holds more stacks */
ap_stranded: .long 0
ap_next:     .long 0
in_ap_boot:  .long 0

        .bss
        .align 4096
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4*4096

        /* Stacks are written before they are read, so _start does not zero them: .bss.stacks
         * lies outside __bss_start..__bss_end (linker.ld). Zeroing is REP STOSL, which a host
         * that emulates guest ring 0 (kvm-pvm) runs at about 1 us per dword: 465 KiB of stacks
         * cost ~120 ms per boot there. */
        .section .bss.stacks,"aw",@nobits
        .align 16
        .skip 16384
bsp_stack_top:
        .align 16
ap_stacks:
        .skip (BSS_STACKS+1)*AP_STACK_SIZE
