/* smp.c: starting the APs (INIT, SIPI, SIPI to everybody but the BSP) and giving them work.
 * An AP that has nothing to do sleeps in HLT with interrupts enabled; smp_call puts a function
 * in its mailbox and wakes it with a fixed IPI (SMP_WAKE_VECTOR).
 * Up to SMP_MAX_CPUS (1024) CPUs: with more than 255 the APIC IDs pass 254, which only x2APIC
 * mode can address, so the BSP switches to x2APIC first and the APs follow it; the broadcast
 * INIT/SIPI/SIPI (the "all excluding self" shorthand) works in either mode. Each AP's own work
 * is a few hundred instructions, as ring 0 may be emulated (kvm-pvm: ~1 us each). */
#include "kernel.h"

#define TRAMP_BASE 0x8000

extern u32 ap_online;                /* boot.S: APs that reached ap_main's ready point */
extern u32 ap_max_cpu, ap_stranded;   /* boot.S: last cpu number with a stack; APs left without one */
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
/* ~10 s at a 3 GHz TSC: the longest gap allowed between two APs' arrivals. 1 s was too short in
 * the kvm-lab (kvm-amd under QEMU TCG, 288 vCPU threads on 2 emulated CPUs: 115 of 288 online) */
#define SMP_IDLE_TSC 30000000000UL

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

/* APs whose stack fits in `ram` bytes: 64 in .bss, then one 4 KiB stack each from 2 MiB up */
static u32 max_cpu_for(u64 ram)
{
    u64 n = SMP_BSS_STACKS;
    if (ram > SMP_HIGH_STACKS) n += (ram < 0xC0000000UL ? ram - SMP_HIGH_STACKS : 0xC0000000UL) / 4096;
    return n < SMP_MAX_CPUS - 1 ? (u32)n : SMP_MAX_CPUS - 1;
}

u32 smp_start(u32 expected, u64 ram)
{
    irq_register(SMP_WAKE_VECTOR, wake);
    ap_max_cpu = max_cpu_for(ram);
    u32 a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    if (expected > 255 && !apic_x2() && (c & (1u << 21))) {
        apic_x2_enable(); /* APIC IDs 255 and up: reachable only in x2APIC mode */
        printf("# smp: %u CPUs: BSP in x2APIC mode before the APs start\n", expected);
    }
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
        /* wait while APs keep arriving, until none came for SMP_IDLE_TSC ticks: 1023 of them on a
         * 2-core host take seconds (a nested lab under TCG: over a minute), and a spin count is no
         * time measure where ring 0 may be emulated (kvm-pvm) or not (the lab's kvm-amd). No bound on
         * the whole wait, as a fixed 2^32 TSC cycles was: on a loaded machine the last APs may come
         * late, and as long as any keeps arriving the BSP keeps waiting */
        u32 seen = 0;
        u64 last = rdtsc();
        for (;;) {
            u32 now = __atomic_load_n(&ap_online, __ATOMIC_ACQUIRE) + __atomic_load_n(&ap_stranded, __ATOMIC_ACQUIRE);
            if (now + 1 >= expected) break;
            if (now != seen) { seen = now; last = rdtsc(); }
            else if (rdtsc() - last > SMP_IDLE_TSC) break;
            pause();
        }
        delay(200); /* catch stragglers beyond the expected count */
        online = __atomic_load_n(&ap_online, __ATOMIC_ACQUIRE) + 1;
        u32 stranded = __atomic_load_n(&ap_stranded, __ATOMIC_ACQUIRE);
        if (stranded)
            printf("# smp: %u AP(s) found no stack: RAM holds stacks for CPUs up to %u (4 KiB each above 2 MiB)\n",
                   stranded, ap_max_cpu);
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
