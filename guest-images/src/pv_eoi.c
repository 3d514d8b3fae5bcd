/* pv_eoi.c: PV-EOI (MSR_KVM_PV_EOI_EN) with real interrupts. The BSP's LAPIC timer ticks
 * periodically while the BSP waits with interrupts enabled; the handler acknowledges each tick.
 *
 * KVM's rule (arch/x86/kvm/lapic.c, apic_sync_pv_eoi_to_guest): just before it enters the guest
 * after injecting an interrupt, KVM sets bit 0 of the guest's PV-EOI word if nothing else is
 * pending in the IRR, exactly one vector is in service and that vector is not one the IOAPIC
 * needs an EOI for (level-triggered). On the next exit it reads the bit back
 * (apic_sync_pv_eoi_from_guest): cleared by the guest = the guest's EOI, so KVM retires the
 * in-service vector itself; still set = no EOI yet, and KVM clears the bit (so an exit between
 * injection and the handler leaves the bit clear and the guest must use the APIC EOI register).
 * The timer is edge-triggered and LAPIC-only, so with the MSR on most ticks should come with the
 * bit set. With APIC virtualization (Intel APICv / AMD AVIC) KVM does not track the in-service
 * vector (highest_isr_cache stays -1) and never sets the bit: pvtest.apicv=1 says so.
 */
#include "kernel.h"
#include "pvfeatures.h"

#define TICK_VECTOR 0x50
#define TICKS_WANTED 20
/* 1 ms at KVM's default 1 GHz APIC bus (APIC_BUS_CYCLE_NS = 1): well above KVM's
 * min_timer_period_us (200 us) for periodic timers, and long enough for the handler, which the
 * emulated kernel mode of kvm-pvm runs at ~1 us per instruction. */
#define TIMER_COUNT 1000000u
/* Give up after 2^31 TSC cycles (~0.5-2 s at 1-4 GHz) so a stalled timer ends in a failure,
 * not a hang: the wait polls instead of HLT because a lost EOI means no interrupt ever comes. */
#define DEADLINE_CYCLES (1UL << 31)

static volatile u32 *word;       /* the PV-EOI word; 0 while the MSR is off */
static volatile u32 ticks;       /* interrupts handled */
static volatile u32 with_bit;    /* ... that came with the PV-EOI bit set */
static volatile u32 after_pv;    /* ... that arrived after the previous one was acked via PV-EOI */
static volatile u32 in_service;  /* ... APIC-EOI'd ones that the ISR showed in service */
static volatile int last_was_pv; /* the previous tick was acked by clearing the bit */
static int pv_on;                /* the MSR is enabled: clearing the bit is the EOI */
static u32 window;               /* the host's stats window over the first TICKS_WANTED ticks (0: none) */
static volatile u32 window_with_bit; /* ticks acked through the PV-EOI bit inside that window */

/* lock btr: test and clear bit 0; 1 if it was set */
static int test_and_clear_bit0(volatile u32 *p)
{
    u8 was;
    __asm__ volatile("lock btrl $0, %0; setc %1" : "+m"(*p), "=q"(was) : : "memory", "cc");
    return was;
}

static int vector_bit(u32 reg_base) /* ISR (0x100) or IRR (0x200) bit of TICK_VECTOR */
{
    return (apic_read(reg_base + 0x10 * (TICK_VECTOR / 32)) >> (TICK_VECTOR % 32)) & 1;
}

static void tick(struct exc_frame *fr)
{
    (void)fr;
    if (last_was_pv) after_pv++;
    /* With the MSR on, clearing the bit IS the EOI: writing the EOI register as well would retire
     * an interrupt that is not in service. With it off the word must stay 0, so a set bit is
     * counted (and fails the check) but still ends with a real EOI. */
    int set = pv_on ? test_and_clear_bit0(word) : (int)(*word & 1);
    if (set) with_bit++;
    last_was_pv = pv_on && set;
    if (!last_was_pv) { if (vector_bit(0x100)) in_service++; apic_eoi(); }
    ticks++;
    if (window && ticks == TICKS_WANTED) { /* this tick is acked: the exit now cannot take a PV-EOI away */
        window_with_bit = with_bit;
        stats_window_end(window, apic_id());
    }
}

static void fail(int *ok, const char *what) { *ok = 0; printf("#   failed: %s\n", what); }

int pv_eoi_timer_check(volatile u32 *pv_word, int pv, int apicv, const char **skip, unsigned stats_window)
{
    int ok = 1;
    *skip = 0;
    word = pv_word;
    pv_on = pv;
    window = stats_window;
    window_with_bit = 0;
    ticks = with_bit = after_pv = in_service = 0;
    last_was_pv = 0;
    irq_register(TICK_VECTOR, tick);
    apic_enable();
    apic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_1);
    apic_write(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | TICK_VECTOR);
    u64 t0 = rdtsc();
    apic_write(APIC_TIMER_INIT, TIMER_COUNT);
    if (window) stats_window_begin(window, apic_id()); /* the host counts this vCPU's exits per ack */
    irq_enable();
    while (ticks < TICKS_WANTED && rdtsc() - t0 < DEADLINE_CYCLES) pause();
    irq_disable();
    u64 elapsed = rdtsc() - t0;
    /* stop the timer, then let a tick that was already pending in the IRR be handled (the
     * handler stays registered in case one still comes later) */
    apic_write(APIC_LVT_TIMER, APIC_TIMER_MASKED | TICK_VECTOR);
    apic_write(APIC_TIMER_INIT, 0);
    for (int i = 0; i < 100 && vector_bit(0x200); i++) __asm__ volatile("sti; pause; cli" ::: "memory");
    /* These APIC reads exit to KVM, which first syncs the PV-EOI bit: if the guest's last ack
     * was the bit, KVM must have retired the vector, so nothing may be left in service. */
    int isr = vector_bit(0x100), irr = vector_bit(0x200);
    u32 w = *word;
    printf("# pv-eoi timer (vector 0x%x, %s EOI): %u interrupts, %u with the PV-EOI bit set, "
           "%u after a PV-EOI ack, %u in service at an APIC EOI, %lu TSC cycles; then ISR=%d IRR=%d word=0x%x\n",
           TICK_VECTOR, pv ? "PV" : "APIC", ticks, with_bit, after_pv, in_service, elapsed, isr, irr, w);
    if (window && ticks >= TICKS_WANTED)
        printf("# pv-eoi stats window %u: %u interrupts, %u acked through the PV-EOI bit\n", window, TICKS_WANTED,
               window_with_bit);
    window = 0;
    if (ticks < TICKS_WANTED) fail(&ok, "timer interrupts stopped arriving");
    if (isr) fail(&ok, "vector still in service after the last ack");
    if (w != 0) fail(&ok, "PV-EOI word not 0 at the end");
    if (!pv && with_bit) fail(&ok, "PV-EOI bit set while the MSR is off");
    if (pv && with_bit && after_pv == 0) fail(&ok, "no interrupt after a PV-EOI ack");
    if (pv && !with_bit) {
        /* Never seen. KVM sets the bit only while exactly one vector is in service, so it cannot
         * appear where the APIC never shows the vector in service during its handler (kvm-pvm),
         * nor with APIC virtualization, where KVM does not track the in-service vector. */
        if (apicv == 1)
            *skip = "bit never set: host APIC virtualization (APICv/AVIC) bypasses PV-EOI";
        else if (!in_service)
            *skip = "bit never set: this host's LAPIC never showed the timer vector in service (kvm-pvm), "
                    "and KVM sets the bit only while one vector is in service";
        else if (apicv < 0)
            *skip = "bit never set, and whether the host uses APICv/AVIC (which bypasses PV-EOI) is unknown: "
                    "pass pvtest.apicv=0 to assert it, as vmm test does";
        else
            fail(&ok, "PV-EOI bit never set on injection");
    }
    return ok;
}
