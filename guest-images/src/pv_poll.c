/* pv_poll.c: short halts for the host's half of the kvm-poll-control check (pvtest.shorthalts=N).
 *
 * KVM polls before it blocks a halted vCPU (kvm_vcpu_halt) only when the vCPU's own poll window
 * (vcpu->halt_poll_ns) is non-zero, and that window only grows after halts that ended sooner than
 * the host's halt_poll_ns limit (200 us by default). With MSR_KVM_POLL_CONTROL bit 0 clear the guest
 * asks for no polling at all (kvm_arch_no_poll), and KVM also resets the window. So N halts, each
 * woken ~50 us later by a periodic LAPIC timer tick, make the host poll (halt_attempted_poll grows in the
 * vCPU's binary stats) with the MSR at 1 and not poll with it at 0: the harness (KvmStatsTest) boots
 * once each way and compares; `vmm test` asks for it with 1 in its poll-control boots where the MSR
 * works. The MSR value comes from pvtest.pollctl=0|1 and is put back afterwards, so what the PV
 * checks left there is what the host reads at the end (dev.vmm.pv.PvAgreement).
 * Prints one diagnostic line; no TAP line (the guest cannot see whether the host polled).
 */
#include "kernel.h"
#include "pvfeatures.h"

#define WAKE_VECTOR 0x51
#define SHORT_COUNT 50000u   /* 50 us at KVM's 1 GHz APIC bus: well inside the 200 us poll limit */
#define DEADLINE_CYCLES (1UL << 31)

static volatile u32 woken;

static void wake(struct exc_frame *fr)
{
    (void)fr;
    woken++;
    apic_eoi();
}

void pv_poll_short_halts(const char *cl)
{
    unsigned long n = 0, pollctl = 2;
    if (!pvfeatures_arg_num(cl, "pvtest.shorthalts", &n) || !n) return;
    pvfeatures_arg_num(cl, "pvtest.pollctl", &pollctl);
    u64 was = 0;
    if (pollctl <= 1) { /* callers only ask where the MSR works: no #GP guard here */
        was = rdmsr(0x4b564d05);
        wrmsr(0x4b564d05, pollctl);
    }
    irq_register(WAKE_VECTOR, wake);
    apic_enable();
    apic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_1);
    /* Periodic, not one-shot: each halt still ends at the next tick, ~50 us on, but a tick that
     * never arrives (seen on nested KVM under QEMU TCG: vCPU 0 blocked in KVM for the rest of the
     * boot with the one-shot timer) costs one period instead of the whole boot. */
    apic_write(APIC_LVT_TIMER, WAKE_VECTOR | APIC_TIMER_PERIODIC);
    woken = 0;
    stats_window_begin(STATS_WINDOW_SHORT_HALTS, apic_id()); /* the host counts these halts' polls and waits */
    u64 t0 = rdtsc();
    apic_write(APIC_TIMER_INIT, SHORT_COUNT);
    for (u32 i = 0; i < n && rdtsc() - t0 < DEADLINE_CYCLES; i++) {
        u32 before = woken;
        /* sti; hlt is atomic for interrupts: the tick cannot slip in between and be missed */
        while (woken == before) __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    apic_write(APIC_LVT_TIMER, APIC_TIMER_MASKED | WAKE_VECTOR);
    apic_write(APIC_TIMER_INIT, 0);
    stats_window_end(STATS_WINDOW_SHORT_HALTS, apic_id());
    if (pollctl <= 1) wrmsr(0x4b564d05, was);
    printf("# short halts: %u woken by the LAPIC timer after ~50 us each, poll-control %s, %lu TSC cycles\n",
           woken, pollctl <= 1 ? (pollctl ? "1" : "0") : "as left", rdtsc() - t0);
}
