/* kernel.h: what the pvtest kernel's files share: types, instruction wrappers, and the small
 * services of console.c, interrupts.c, apic.c and smp.c. */
#ifndef KERNEL_H
#define KERNEL_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef signed char s8;
typedef long s64;

/* ---- instructions ---- */
static inline void outb(u16 p, u8 v) { __asm__ volatile("outb %0,%1" ::"a"(v), "Nd"(p)); }
static inline void outw(u16 p, u16 v) { __asm__ volatile("outw %0,%1" ::"a"(v), "Nd"(p)); }
static inline void outl(u16 p, u32 v) { __asm__ volatile("outl %0,%1" ::"a"(v), "Nd"(p)); }
static inline u32 inl(u16 p) { u32 v; __asm__ volatile("inl %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline u8 inb(u16 p) { u8 v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
static inline void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d) { cpuid_count(leaf, 0, a, b, c, d); }
static inline void wrmsr(u32 msr, u64 v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}
static inline u64 rdmsr(u32 msr)
{
    u32 lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((u64)hi << 32) | lo;
}
static inline u64 rdtsc(void)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }
static inline u32 mmio_r32(u64 a) { return *(volatile u32 *)a; }
static inline void mmio_w32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }

/* ---- console.c: COM1, polled (only the BSP prints, so there is no lock) ---- */
void console_init(void);
void putc_raw(char c);
void puts(const char *s);
void putu(u64 v, unsigned base, int width, char pad);
/* tiny printf: %s %c %d %u %x %lx %lu %ld, width and zero pad, %% */
void printf(const char *f, ...);
void do_exit(u32 status) __attribute__((noreturn)); /* isa-debug-exit */

/* ---- interrupts.c: one IDT for all CPUs ---- */
/* The frame the stubs build: vector, error code (0 if none), then what the CPU pushed. */
struct exc_frame { u64 vector, error, rip, cs, rflags, rsp, ss; };
typedef void (*irq_handler_t)(struct exc_frame *fr);
void idt_load(void);                          /* builds the IDT on first use, then lidt */
void irq_register(u8 vector, irq_handler_t h); /* vectors 32..255; the handler sends the EOI */
/* kmain.c: an exception nobody expected (prints a TAP failure, exits) */
void fatal_exception(struct exc_frame *fr) __attribute__((noreturn));

/* ---- apic.c: the local APIC, xAPIC (MMIO) or x2APIC (MSR) mode alike ---- */
#define APIC_ID 0x20
#define APIC_EOI 0xB0
#define APIC_SVR 0xF0
#define APIC_ICR 0x300
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3E0
/* LVT timer entry bits and the divide value of 1 (the timer counts APIC bus cycles) */
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_TIMER_MASKED (1u << 16)
#define APIC_TIMER_DIV_1 0xB
#define APIC_SPURIOUS_VECTOR 0xFF
int apic_x2(void);                      /* 1 if this CPU's APIC is in x2APIC mode */
void apic_x2_enable(void);              /* IA32_APIC_BASE.EXTD: xAPIC -> x2APIC */
u32 apic_read(u32 reg);                 /* reg: the xAPIC MMIO offset */
void apic_write(u32 reg, u32 v);
void apic_enable(void);                 /* SVR: software-enable, spurious vector 0xFF */
u32 apic_id(void);                      /* full x2APIC ID, or the 8-bit xAPIC ID */
void apic_eoi(void);
/* ICR write to one destination (dest ignored for shorthands); waits for delivery in xAPIC mode */
void apic_send_ipi(u32 dest, u32 icr_low);

/* ---- smp.c: AP bring-up and running a function on an AP ---- */
/* 1024: KVM_CAP_MAX_VCPUS of the hosts this runs on. Per-CPU arrays of this size stay small
 * (mailboxes, APIC IDs, pvclock records); what needs kilobytes per CPU is capped lower: the AP
 * stacks of CPUs beyond SMP_BSS_STACKS live above 2 MiB (boot.S), user mode stops at USER_MAX_CPUS. */
#define SMP_MAX_CPUS 1024
#define SMP_BSS_STACKS 64               /* APs 1..64 have their 4 KiB stack in .bss (as in 2 MiB of RAM) */
#define SMP_HIGH_STACKS 0x200000UL      /* stack of AP n > 64: [base + (n-65)*4K, base + (n-64)*4K) */
#define SMP_WAKE_VECTOR 0xF0            /* IPI that wakes an AP to look at its mailbox */
/* INIT/SIPI/SIPI; returns CPUs online, BSP included. ram: bytes of RAM (0: unknown, then only
 * the APs with .bss stacks may start) */
u32 smp_start(u32 expected, u64 ram);
u32 smp_online(void);
u32 smp_apic_id(u32 cpu);               /* cpu 0 is the BSP */
/* Runs fn(arg) on AP `cpu` (interrupts enabled while it waits, disabled while fn runs unless
 * fn enables them). Returns 0, or -1 if that AP is not online. Does not wait: see smp_wait. */
int smp_call(u32 cpu, void (*fn)(void *), void *arg);
void smp_wait(u32 cpu);                 /* until the AP has returned from fn */

/* ---- user_mode.c: calling a function in ring 3 on any CPU ---- */
struct user_fault { int vector; u64 error, rip, cr2; }; /* vector -1: fn returned */
#define USER_MAX_CPUS 65                /* CPUs 0..64 get a TSS and stacks for ring 3 (3 KiB each) */
void user_mode_setup(void);             /* once, on the BSP, before any user_call */
#define USER_IF 1                       /* user_call_flags: ring 3 runs with interrupts on */
/* Runs fn(arg) at CPL 3 (IF=0 unless USER_IF, IOPL 0, its own stack) on this CPU, which must be
 * `cpu`; fn's code and data must lie in the user-accessible first 4 MiB. Returns 0 when fn
 * returned, 1 when it ended by an exception (*f: vector, error code, rip, cr2), -1 if not set up. */
int user_call_flags(u32 cpu, void (*fn)(void *), void *arg, u32 flags, struct user_fault *f);
static inline int user_call(u32 cpu, void (*fn)(void *), void *arg, struct user_fault *f)
{
    return user_call_flags(cpu, fn, arg, 0, f);
}
int user_mode_fixup(struct exc_frame *fr); /* interrupts.c: 1 if a user_call's fault was taken */

#endif
