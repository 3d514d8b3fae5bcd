/*
 * pv_steal: what steal time is for, shown with a host that really takes the CPU away. The VMM's
 * HostContention device (ports 0x5e0-0x5e7, only with pvtest.contention=1 / vmm run
 * --host-contention) pins the vCPU thread that asks and a busy host thread to one host CPU, so
 * the vCPU waits runnable about half the time. KVM adds the thread's run delay to `steal` on the
 * next entry (record_steal_time) and, when the thread is scheduled out while runnable after an
 * exit at an instruction boundary, sets `preempted` bit 0 (kvm_steal_time_set_preempted); the
 * next entry clears the byte, flushing the TLB first if the guest set bit 1 (kvm-pv-tlb-flush).
 */
#include "kernel.h"
#include "pvfeatures.h"

#define CONT_CMD 0x5e0       /* write: 1 start, 2 stop; read: 0 idle, 1 contended, 2 error */
#define CONT_RUN_DELAY 0x5e4 /* read: the vCPU thread's run delay between start and stop, us */
#define CONT_START 1
#define CONT_STOP 2
#define CONT_CONTENDED 1
#define RUN_DELAY_UNKNOWN 0xffffffffu
#define MSR_KVM_STEAL_TIME 0x4b564d03
/* How long the contended vCPU keeps running: about 0.2 s at 2.5 GHz, many host scheduler slices
 * (a few ms each) long, so the vCPU is switched out for the busy thread many times. */
#define CONTEND_TSC 500000000UL

/* steal and version, read consistently (KVM makes the version odd while it writes) */
static int steal_read(volatile struct steal_time *st, u64 *steal, u32 *ver)
{
    for (int i = 0; i < 1000; i++) {
        u32 v = st->version;
        __asm__ volatile("" ::: "memory");
        u64 s = st->steal;
        __asm__ volatile("" ::: "memory");
        if (!(v & 1) && v == st->version) {
            *steal = s;
            *ver = v;
            return 1;
        }
        pause();
    }
    return 0;
}

/* One contention window on the calling vCPU: start, keep running, stop. Returns 0 or the failure;
 * *rd_us = the host's run delay of this vCPU's thread over the window. stats_window (non-zero):
 * the host measures this vCPU's KVM stats over the contended stretch (STATS_WINDOW_*). open
 * (non-null): set to 1 just inside that stretch and to 3 just before it ends, so another vCPU can
 * tell whether what it does lands inside the host's measurement. */
static const char *contend(u32 *rd_us, u32 stats_window, volatile u32 *open)
{
    outl(CONT_CMD, CONT_START);
    u32 status = inl(CONT_CMD);
    if (status == 0xffffffffu) return "no contention device at port 0x5e0 (vmm run --host-contention)";
    if (status != CONT_CONTENDED) return "the host refused to start contention";
    /* window: this vCPU's thread is pinned from here on, so KVM flushes its TLB only when asked */
    if (stats_window) stats_window_begin(stats_window, apic_id());
    if (open) __atomic_store_n(open, 1, __ATOMIC_RELEASE);
    u64 t0 = rdtsc();
    while (rdtsc() - t0 < CONTEND_TSC) pause();
    if (open) __atomic_store_n(open, 3, __ATOMIC_RELEASE);
    if (stats_window) stats_window_end(stats_window, apic_id());
    outl(CONT_CMD, CONT_STOP);
    if (inl(CONT_CMD) != 0) return "the host could not stop contention";
    *rd_us = inl(CONT_RUN_DELAY);
    return 0;
}

const char *pv_steal_grows(volatile struct steal_time *st)
{
    u64 s0, s1;
    u32 v0, v1, rd = 0;
    if (!steal_read(st, &s0, &v0)) return "steal version stays odd";
    const char *err = contend(&rd, 0, 0);
    if (err) return err;
    if (!steal_read(st, &s1, &v1)) return "steal version stays odd";
    printf("# steal under host contention: %lu -> %lu ns (+%lu), version %u -> %u, host run delay ", s0, s1,
           s1 - s0, v0, v1);
    if (rd == RUN_DELAY_UNKNOWN) printf("unknown (no schedstat on the host)\n");
    else printf("%u us\n", rd);
    if (s1 <= s0) return "steal did not grow while the host made the vCPU wait";
    if (v1 <= v0) return "steal version did not increase";
    if (rd != RUN_DELAY_UNKNOWN) {
        if (rd == 0) return "the host saw no run delay: the contention did not make the vCPU wait";
        /* steal covers the window and a little more (from the entry before s0 to the entry after
         * the stop), and KVM adds exactly the run delay, so it cannot be smaller */
        if (s1 - s0 < (u64)rd * 1000) return "steal grew less than the host's run delay of the vCPU thread";
    }
    return 0;
}

/* ---- AP 1 under contention, its preempted byte watched by the BSP ---- */
static volatile struct steal_time *ap_st;
static volatile u32 ap_phase; /* 1 inside the measured contended stretch, 3 closing it, 2 done */
static const char *volatile ap_err;
static volatile u32 ap_rd;
static volatile u64 ap_steal;

static void ap_contended(void *arg)
{
    (void)arg;
    u64 s0 = 0, s1 = 0;
    u32 v, rd = 0;
    wrmsr(MSR_KVM_STEAL_TIME, (u64)ap_st | 1);
    outb(0x80, 0); /* one exit and entry: KVM fills the structure */
    steal_read(ap_st, &s0, &v);
    ap_err = contend(&rd, STATS_WINDOW_PREEMPTED, &ap_phase);
    steal_read(ap_st, &s1, &v);
    ap_rd = rd;
    ap_steal = s1 - s0;
    __atomic_store_n(&ap_phase, 2, __ATOMIC_RELEASE);
}

static void ap_steal_off(void *arg)
{
    (void)arg;
    wrmsr(MSR_KVM_STEAL_TIME, 0);
}

const char *pv_preempted_byte(volatile struct steal_time *st, int flush, int pvm, int leave, const char **skip)
{
    ap_st = st;
    st->preempted = 0;
    ap_phase = 0;
    ap_err = 0;
    if (smp_call(1, ap_contended, 0)) return "AP 1 is not online";
    u32 polls = 0, seen = 0, flagged = 0, late = 0, cleared = 0;
    while (__atomic_load_n(&ap_phase, __ATOMIC_ACQUIRE) != 2) {
        u8 b = st->preempted;
        polls++;
        u32 phase = __atomic_load_n(&ap_phase, __ATOMIC_ACQUIRE);
        if (phase != 1 && phase != 3) continue;
        /* only KVM clears bits, and it clears the whole byte when the vCPU enters again; b was read
         * after any flag of an earlier round, so a cleared bit 1 is KVM's doing */
        if (flush ? flagged && !(b & 2) : seen && !(b & 1)) cleared = 1;
        if (b & 1) {
            seen++;
            if (flush && !flagged && !late && phase == 1) {
                /* as Linux's kvm_flush_tlb_multi: ask for the flush only while it is still preempted */
                u8 expect = b;
                if (__atomic_compare_exchange_n(&st->preempted, &expect, (u8)(b | 2), 0, __ATOMIC_SEQ_CST,
                                                __ATOMIC_SEQ_CST)) {
                    /* AP 1 is preempted now and clears the byte (flushing) at its next entry, before it can
                     * close the stretch: if it had not closed it yet, the flush falls inside the host's
                     * window (vCPU 1's tlb_flush there must move) */
                    if (__atomic_load_n(&ap_phase, __ATOMIC_ACQUIRE) == 1) flagged = 1;
                    else late = 1;
                }
            }
        }
    }
    smp_wait(1);
    printf("# preempted byte of vCPU 1 (apic id %u) over %u polls: seen set %u times, flush %s, cleared %s;"
           " its steal +%lu ns, host run delay %u us\n", smp_apic_id(1), polls, seen,
           !flush ? "not requested (bit 9 off)" : flagged ? "requested" : "never requested", cleared ? "yes" : "no",
           ap_steal, ap_rd);
    if (!leave) {
        smp_call(1, ap_steal_off, 0);
        smp_wait(1);
    }
    if (ap_err) return ap_err;
    if (ap_rd == 0) return "the host saw no run delay: vCPU 1 was not made to wait";
    if (!seen) {
        if (pvm) {
            /* kvm-pvm: kvm_steal_time_set_preempted() needs vcpu->arch.at_instruction_boundary, which only
             * the VMX/SVM host-interrupt exits set; PVM never does, so KVM counts preemption_other instead */
            *skip = "kvm-pvm never marks a vCPU preempted (no exit at an instruction boundary: KVM stat"
                    " preemption_other counts, preemption_reported stays 0)";
            return 0;
        }
        return "KVM never set the preempted byte while vCPU 1 waited";
    }
    if (flush && late) return "the flush request landed as AP 1's measured stretch closed (a rare race: run again)";
    if (flush && !flagged) return "the flush bit could not be set while the byte showed preempted";
    if (!cleared) return "KVM did not clear the byte when vCPU 1 ran again";
    return 0;
}
