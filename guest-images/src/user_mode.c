/*
 * user_mode: run a function in ring 3 on any CPU and come back to ring 0 when it returns or
 * faults. A ring-3 -> ring-0 transition needs a TSS (its RSP0 is the stack the CPU switches to),
 * and a TSS descriptor is marked busy by LTR, so every CPU gets its own TSS and its own
 * descriptor, in a GDT that copies boot.S's six entries and is loaded only around the call.
 * It is the kernel's one way into ring 3: pv_kvmclock's user-mode reads, pv_asyncpf's ring-3 read
 * (with USER_IF: async PF needs interrupts on) and kmain's pvtest.spin=user (a fn that never returns).
 * The function starts at user_tramp, which calls it and then executes the ud2 at user_exit: that
 * #UD (at exactly that address), or any other exception taken in ring 3, rewrites the interrupt
 * frame to resume in ring 0 after the iretq that entered ring 3, on the kernel stack saved there.
 * Not `int $n` through a DPL-3 gate: under kvm-pvm a ring-3 `int $0x81` raises #UD itself.
 * "Any other exception" is any that interrupts.c did not give to an earlier hook: pv_asyncpf's
 * "page not present" #PF goes back to ring 3. Interrupts taken in ring 3 (USER_IF) are not
 * exceptions: their handlers run on the trap stack and return to ring 3.
 */
#include "kernel.h"

#define TRAP_STACK 2048
#define USER_STACK 1024
#define GDT_FIXED 6 /* null, code32, data, code64, user data, user code64 (boot.S) */

extern u64 gdt[];
void user_enter(void (*fn)(void *), void *arg, u64 user_rsp, u64 *save_rsp, u64 rflags); /* asm */
extern u8 user_resume[], user_exit[];

static u64 ugdt[GDT_FIXED + 2 * USER_MAX_CPUS] __attribute__((aligned(16)));
static u8 tss[USER_MAX_CPUS][112] __attribute__((aligned(16)));
/* stacks: not zeroed at boot (linker.ld, .bss.stacks) */
static u8 trap_stack[USER_MAX_CPUS][TRAP_STACK] __attribute__((aligned(16), section(".bss.stacks")));
/* .bss lies in the first 4 MiB, which boot.S maps user-accessible: ring 3 can use these */
static u8 user_stack[USER_MAX_CPUS][USER_STACK] __attribute__((aligned(16), section(".bss.stacks")));
static u64 kernel_rsp[USER_MAX_CPUS];
static volatile u8 active[USER_MAX_CPUS], tr_loaded[USER_MAX_CPUS];
static struct user_fault fault[USER_MAX_CPUS];
static int set_up;

/* user_enter(fn=rdi, arg=rsi, user_rsp=rdx, save_rsp=rcx, rflags=r8): callee-saved registers on
 * the kernel stack, its RSP in *save_rsp, then iretq to CPL 3 (CS 0x2b, SS 0x23, the given RFLAGS)
 * at user_tramp with fn in RAX and arg in RDI. user_resume is where ring 0 continues. */
__asm__(".text\n"
        ".globl user_enter, user_resume, user_exit\n"
        "user_enter:\n"
        "  pushq %rbx\n  pushq %rbp\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  movq %rsp, (%rcx)\n"
        "  movq %rdi, %rax\n"
        "  movq %rsi, %rdi\n"
        "  pushq $0x23\n  pushq %rdx\n  pushq %r8\n  pushq $0x2b\n  pushq $user_tramp\n"
        "  iretq\n"
        "user_resume:\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbp\n  popq %rbx\n"
        "  ret\n"
        "user_tramp:\n" /* ring 3 */
        "  call *%rax\n"
        "user_exit:\n"
        "  ud2\n");

/* the CPU whose trap stack holds this frame, or -1 (a trap from ring 3 lands on RSP0) */
static int cpu_of(struct exc_frame *fr)
{
    u64 off = (u64)fr - (u64)trap_stack;
    if ((u64)fr < (u64)trap_stack || off >= sizeof(trap_stack)) return -1;
    return (int)(off / TRAP_STACK);
}

static void to_kernel(struct exc_frame *fr, int cpu)
{
    fr->rip = (u64)user_resume;
    fr->cs = 0x18;
    fr->rflags = 0x2;
    fr->rsp = kernel_rsp[cpu];
    fr->ss = 0x10;
}

int user_mode_fixup(struct exc_frame *fr)
{
    int cpu = cpu_of(fr);
    if ((fr->cs & 3) != 3 || cpu < 0 || !active[cpu]) return 0;
    u64 cr2;
    __asm__ volatile("mov %%cr2,%0" : "=r"(cr2));
    /* user_exit's #UD: fn returned */
    fault[cpu].vector = fr->vector == 6 && fr->rip == (u64)user_exit ? -1 : (int)fr->vector;
    fault[cpu].error = fr->error;
    fault[cpu].rip = fr->rip;
    fault[cpu].cr2 = cr2;
    to_kernel(fr, cpu);
    return 1;
}

void user_mode_setup(void)
{
    if (set_up) return;
    for (int i = 0; i < GDT_FIXED; i++) ugdt[i] = gdt[i];
    for (u32 cpu = 0; cpu < USER_MAX_CPUS; cpu++) {
        u64 base = (u64)tss[cpu], limit = 104 - 1;
        *(u64 *)(tss[cpu] + 4) = (u64)(trap_stack[cpu] + TRAP_STACK); /* RSP0 */
        *(u16 *)(tss[cpu] + 102) = 104;                                /* no I/O bitmap */
        ugdt[GDT_FIXED + 2 * cpu] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
                                    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
        ugdt[GDT_FIXED + 2 * cpu + 1] = base >> 32;
    }
    set_up = 1;
}

int user_call_flags(u32 cpu, void (*fn)(void *), void *arg, u32 flags, struct user_fault *f)
{
    if (!set_up || cpu >= USER_MAX_CPUS) return -1;
    struct { u16 limit; u64 base; } __attribute__((packed)) old, p = { sizeof(ugdt) - 1, (u64)ugdt };
    u64 rflags;
    __asm__ volatile("pushfq; popq %0" : "=r"(rflags));
    irq_disable(); /* IF=0 up to the iretq; the caller's IF comes back at the end */
    __asm__ volatile("sgdt %0" : "=m"(old));
    __asm__ volatile("lgdt %0" ::"m"(p) : "memory");
    if (!tr_loaded[cpu]) { /* once per CPU: LTR marks the descriptor busy */
        __asm__ volatile("ltr %w0" ::"r"(0x30 + 16 * cpu) : "memory");
        tr_loaded[cpu] = 1;
    }
    fault[cpu].vector = -2;
    active[cpu] = 1;
    /* RFLAGS bit 1 is reserved and reads as 1; IOPL 0 either way */
    user_enter(fn, arg, (u64)(user_stack[cpu] + USER_STACK), &kernel_rsp[cpu], flags & USER_IF ? 0x202 : 0x2);
    active[cpu] = 0;
    /* back in ring 0 through the frame: DS/ES were nulled on the way to ring 3, as is harmless
     * in 64-bit mode; restore them and the boot GDT */
    __asm__ volatile("lgdt %0\n\tmov %w1, %%ds\n\tmov %w1, %%es" ::"m"(old), "r"(0x10) : "memory");
    if (rflags & 0x200) irq_enable();
    *f = fault[cpu];
    return f->vector == -1 ? 0 : 1;
}
