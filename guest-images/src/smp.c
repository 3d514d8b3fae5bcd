/* smp.c: starting the APs (INIT, SIPI, SIPI to everybody but the BSP) and giving them work.
 * An AP that has nothing to do sleeps in HLT with interrupts enabled; smp_call puts a function
 * in its mailbox and wakes it with a fixed IPI (SMP_WAKE_VECTOR). */
#include "kernel.h"

#define TRAMP_BASE 0x8000

extern u32 ap_online;                /* boot.S: APs that reached ap_main's ready point */
extern u8 tramp_start[], tramp_end[]; /* boot.S: real-mode trampoline, copied below 1 MiB */

struct mailbox {
    void (*volatile fn)(void *);
    void *volatile arg;
    volatile u32 busy;  /* set by smp_call, cleared by the AP when fn has returned */
    volatile u32 ready; /* the AP is in its mailbox loop */
};
static struct mailbox mbox[SMP_MAX_CPUS];
static volatile u32 apic_ids[SMP_MAX_CPUS];
static u32 online = 1;

static void wake(struct exc_frame *fr) { (void)fr; apic_eoi(); }

static void delay(u32 n) { for (volatile u32 i = 0; i < n; i++) pause(); }

/* boot.S calls this on the AP's own stack; cpu numbers are handed out in arrival order, 1.. */
void ap_main(u32 cpu) __attribute__((noreturn));
void ap_main(u32 cpu)
{
    struct mailbox *m = &mbox[cpu];
    idt_load();
    if (apic_x2() == 0 && __atomic_load_n(&apic_ids[0], __ATOMIC_ACQUIRE) & 0x80000000u)
        apic_x2_enable(); /* the BSP runs in x2APIC mode (flag set by smp_start): follow it */
    apic_enable();
    apic_ids[cpu] = apic_id();
    m->ready = 1;
    __atomic_fetch_add(&ap_online, 1, __ATOMIC_RELEASE);
    for (;;) {
        irq_disable();
        while (!__atomic_load_n(&m->fn, __ATOMIC_ACQUIRE))
            __asm__ volatile("sti; hlt; cli" ::: "memory"); /* STI's shadow covers HLT: no lost wake-up */
        m->fn(m->arg);
        irq_disable();
        m->fn = 0;
        __atomic_store_n(&m->busy, 0, __ATOMIC_RELEASE);
    }
}

u32 smp_start(u32 expected)
{
    irq_register(SMP_WAKE_VECTOR, wake);
    apic_enable();
    /* bit 31 tells the APs to switch to x2APIC mode like the BSP (IDs stay in the low bits) */
    apic_ids[0] = apic_id() | (apic_x2() ? 0x80000000u : 0);
    if (expected > 1) {
        u8 *dst = (u8 *)TRAMP_BASE;
        for (u8 *s = tramp_start; s < tramp_end; s++) *dst++ = *s;
        __asm__ volatile("" ::: "memory");
        apic_send_ipi(0, 0x000C4500);                        /* INIT, all excluding self */
        delay(2000);
        apic_send_ipi(0, 0x000C4600 | (TRAMP_BASE >> 12));   /* SIPI */
        delay(200);
        apic_send_ipi(0, 0x000C4600 | (TRAMP_BASE >> 12));   /* SIPI again, as the MP spec says */
        /* bounded by time, not by a count of PAUSEs: under nested KVM on QEMU TCG (scripts/kvm-lab) on
         * a loaded machine an AP took longer than 500000 PAUSEs to arrive; 2^32 TSC cycles is 1-4 s */
        for (u64 t0 = rdtsc(); rdtsc() - t0 < (1UL << 32);) {
            if (__atomic_load_n(&ap_online, __ATOMIC_ACQUIRE) + 1 >= expected) break;
            pause();
        }
        delay(200); /* catch stragglers beyond the expected count */
        online = __atomic_load_n(&ap_online, __ATOMIC_ACQUIRE) + 1;
    }
    apic_ids[0] &= 0x7fffffffu;
    return online;
}

u32 smp_online(void) { return online; }

u32 smp_apic_id(u32 cpu) { return cpu < SMP_MAX_CPUS ? apic_ids[cpu] & 0x7fffffffu : 0; }

void smp_wait(u32 cpu)
{
    if (cpu == 0 || cpu >= SMP_MAX_CPUS) return;
    while (__atomic_load_n(&mbox[cpu].busy, __ATOMIC_ACQUIRE)) pause();
}

int smp_call(u32 cpu, void (*fn)(void *), void *arg)
{
    if (cpu == 0 || cpu >= SMP_MAX_CPUS || !mbox[cpu].ready) return -1;
    smp_wait(cpu);
    mbox[cpu].arg = arg;
    mbox[cpu].busy = 1;
    __atomic_store_n(&mbox[cpu].fn, fn, __ATOMIC_RELEASE);
    apic_send_ipi(apic_ids[cpu], SMP_WAKE_VECTOR | 0x4000); /* fixed, physical, assert */
    return 0;
}
