/*
 * pv_kvmclock: kvmclock as a guest kernel relies on it, beyond "the MSRs work" (pvfeatures.c):
 *   1. the wall clock agrees with the host's: the host passes its time as pvtest.epoch=<unix s>
 *      when it builds the command line (vmm test does); KVM's wall clock is the host's real time at
 *      kvmclock 0, so wall + system_time is the host's time now.
 *   2. every online vCPU registers its own pvclock structure (pvclock_vcpu_time_info is per vCPU:
 *      its TSC, its tsc_timestamp) and finds it filled, version even, its time between two BSP
 *      readings taken before and after it.
 *   3. the clock never goes backwards across vCPUs when read as a vDSO reads it: in ring 3, from
 *      a read-only user mapping of the structures (an alias at 5 GiB), every vCPU at once,
 *      each read compared with the largest reading any vCPU had published before it (a reading
 *      taken after another was published must not be smaller). A write to the alias must #PF.
 */
#include "kernel.h"
#include "pvfeatures.h"
#include "pvchecks.h"

/* One 32-byte structure per vCPU, alone in a page (pvclock.c in Linux does the same per CPU). */
static union {
    struct pvclock c[SMP_MAX_CPUS];
    u8 page[4096];
} clocks __attribute__((aligned(4096)));

static volatile struct { u32 version, sec, nsec; } wall __attribute__((aligned(16)));

static void tap(int num, int ok, const char *desc, const char *skip)
{
    printf("%s %d - %s", ok ? "ok" : "not ok", num, desc);
    if (skip) printf(" # SKIP %s", skip);
    printf("\n");
}

/* ns since kvmclock 0 from one structure, seqlock read (version odd = KVM is updating it; a
 * changed version = read again). lfence orders RDTSC after the loads before it, as Linux's
 * rdtsc_ordered(). Returns 0 if it never got a consistent read. */
static u64 pvclock_ns(const volatile struct pvclock *p, u32 *ver, u8 *flags)
{
    for (int tries = 0; tries < 1000; tries++) {
        u32 v = p->version;
        __asm__ volatile("lfence" ::: "memory");
        u32 lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        u64 delta = (((u64)hi << 32) | lo) - p->tsc_timestamp;
        s8 shift = p->tsc_shift;
        u32 mul = p->tsc_to_system_mul;
        u64 base = p->system_time;
        u8 fl = p->flags;
        __asm__ volatile("lfence" ::: "memory");
        if ((v & 1) || v != p->version) continue;
        if (shift < 0) delta >>= -shift; else delta <<= shift;
        *ver = v;
        *flags = fl;
        return base + (u64)(((unsigned __int128)delta * mul) >> 32);
    }
    *ver = 1;
    *flags = 0;
    return 0;
}

/* ---- 1. wall clock vs pvtest.epoch ---- */
static int wall_check(const char *cl, u32 wmsr, int num)
{
    const char *desc = PVCHECK_DESC(KVMCLOCK_WALL_CLOCK);
    u64 epoch;
    if (!wmsr) { tap(num, 1, desc, "kvmclock not registered"); return 0; }
    if (!pvfeatures_arg_num(cl, "pvtest.epoch", &epoch)) { tap(num, 1, desc, "no pvtest.epoch given"); return 0; }
    wall.version = 0x55;
    wrmsr(wmsr, (u64)&wall); /* KVM fills it now: host real time at kvmclock 0 */
    u32 v; u8 f;
    u64 st = pvclock_ns(&clocks.c[0], &v, &f);
    u64 now_ns = (u64)wall.sec * 1000000000UL + wall.nsec + st;
    /* The guest cannot know how long ago the host read its clock, but its own clock says how long
     * it has run: now - system_time = the host's time when the guest's clock started, which comes
     * after the host wrote the command line (epoch, truncated to seconds). Allowed: -2 s (rounding)
     * to +10 s (JVM start and VM creation under load take a few seconds); a wrong time zone, an
     * unset wall clock or system time in wrong units misses by far more. */
    s64 diff_ms = ((s64)(now_ns - st) - (s64)(epoch * 1000000000UL)) / 1000000;
    printf("# wall clock msr=0x%x version=%u sec=%u nsec=%u; system time %lu ns; now %lu.%09lu; "
           "pvtest.epoch=%lu; now - system time - epoch = %ld ms\n",
           wmsr, wall.version, wall.sec, wall.nsec, st, now_ns / 1000000000UL, now_ns % 1000000000UL,
           epoch, diff_ms);
    int ok = !(wall.version & 1) && wall.sec && st && !(v & 1) && diff_ms >= -2000 && diff_ms <= 10000;
    tap(num, ok, desc, 0);
    return !ok;
}

/* ---- 2. every vCPU's own structure ---- */
static struct { u64 t; u32 ver; u8 flags; } seen[SMP_MAX_CPUS];
static u32 sys_msr;

static void ap_register(void *arg)
{
    u32 cpu = (u32)(u64)arg;
    wrmsr(sys_msr, (u64)&clocks.c[cpu] | 1);
    seen[cpu].t = pvclock_ns(&clocks.c[cpu], &seen[cpu].ver, &seen[cpu].flags);
}

static void ap_unregister(void *arg) { (void)arg; wrmsr(sys_msr, 0); }

static int per_vcpu_check(u32 online, int num)
{
    const char *desc = PVCHECK_DESC(KVMCLOCK_PER_VCPU);
    int ok = 1;
    u32 v0, v1; u8 f0, f1;
    u32 fl_and = 0xff;
    for (u32 cpu = 1; cpu < online; cpu++) {
        u64 before = pvclock_ns(&clocks.c[0], &v0, &f0);
        seen[cpu].t = 0;
        if (smp_call(cpu, ap_register, (void *)(u64)cpu)) { ok = 0; printf("#   cpu %u not online\n", cpu); continue; }
        smp_wait(cpu);
        u64 after = pvclock_ns(&clocks.c[0], &v1, &f1);
        /* causal order: the AP read its clock after the BSP's first reading and before its
         * second, so with one master clock (PVCLOCK_TSC_STABLE_BIT) it lies between them; without
         * it KVM keeps per-vCPU clocks that may disagree slightly (Linux then clamps to a global
         * last value): allow 1 ms */
        u64 slack = (seen[cpu].flags & f0 & f1 & 1) ? 0 : 1000000;
        int good = seen[cpu].t && !(seen[cpu].ver & 1) && seen[cpu].ver &&
                   seen[cpu].t + slack >= before && seen[cpu].t <= after + slack;
        printf("# kvmclock cpu %u (apic id %u) at 0x%lx: version=%u flags=0x%x time %lu ns, BSP %lu..%lu ns%s\n",
               cpu, smp_apic_id(cpu), (u64)&clocks.c[cpu], seen[cpu].ver, seen[cpu].flags, seen[cpu].t,
               before, after, good ? "" : " <- wrong");
        fl_and &= seen[cpu].flags;
        if (!good) ok = 0;
    }
    /* the BSP's own structure, read last: still consistent and moving */
    u64 t = pvclock_ns(&clocks.c[0], &v0, &f0);
    printf("# kvmclock cpu 0 at 0x%lx: version=%u flags=0x%x time %lu ns; %u vCPUs, flags of all APs 0x%x\n",
           (u64)&clocks.c[0], v0, f0, t, online, online > 1 ? fl_and : f0);
    if (!t || (v0 & 1) || !v0) ok = 0;
    tap(num, ok, desc, 0);
    return !ok;
}

/* ---- 3. user-mode reads of a read-only alias ---- */
/* 5 GiB: PDPT slot 5 of PML4[0], outside boot.S's 4 GiB identity map */
#define ALIAS_VA 0x140000000UL
static u64 alias_pd[512] __attribute__((aligned(4096)));
static u64 alias_pt[512] __attribute__((aligned(4096)));

/* rw: the control (pvtest.kvmclock-alias=rw): a writable alias, whose ring-3 write must then fail the check */
static void map_alias(int rw)
{
    u64 cr3;
    __asm__ volatile("mov %%cr3,%0" : "=r"(cr3));
    u64 *pml4 = (u64 *)(cr3 & 0x000ffffffffff000UL);
    u64 *pdpt = (u64 *)(pml4[0] & 0x000ffffffffff000UL);
    alias_pt[0] = (u64)&clocks | 0x5 | (rw ? 0x2 : 0); /* P | U/S, R/W clear: read-only (in ring 3: CR0.WP is 0) */
    alias_pd[0] = (u64)alias_pt | 0x7;   /* the upper levels allow everything: the PTE decides */
    pdpt[5] = (u64)alias_pd | 0x7;
    __asm__ volatile("invlpg (%0)" ::"r"(ALIAS_VA) : "memory");
}

/* everything below that ring 3 touches is in .bss, inside the user-accessible first 4 MiB */
struct ustat {
    u32 cpu, flags_and;
    u64 reads, bad, back, max_back, own_back, cross, first, last;
    struct user_fault exit;
    int entered;
} __attribute__((aligned(64)));
static struct ustat ustat[SMP_MAX_CPUS];
static volatile u64 last_max; /* the largest reading any vCPU has published */
static volatile u32 arrived;
static u32 want_cpus;
static u64 n_reads;

static void user_reads(void *arg) /* ring 3 */
{
    struct ustat *s = arg;
    const volatile struct pvclock *p = (const volatile struct pvclock *)ALIAS_VA + s->cpu;
    /* start together (bounded: a vCPU that never comes must not hang the rest) */
    __atomic_fetch_add(&arrived, 1, __ATOMIC_ACQ_REL);
    u64 t0 = rdtsc();
    while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < want_cpus && rdtsc() - t0 < 4000000000UL) pause();
    u64 own = 0;
    s->flags_and = 0xff;
    for (u64 i = 0; i < n_reads; i++) {
        /* the published maximum first, then the clock (pvclock_ns fences RDTSC after this load):
         * whatever was published before this read began must not exceed it */
        u64 before = __atomic_load_n(&last_max, __ATOMIC_ACQUIRE);
        u32 v; u8 f;
        u64 t = pvclock_ns(p, &v, &f);
        if (!t) { s->bad++; continue; }
        s->flags_and &= f;
        if (!s->reads) s->first = t;
        s->reads++;
        if (t < own) s->own_back++;
        if (before > own) s->cross++; /* another vCPU published a later reading than this one's last */
        own = t;
        if (t < before) {
            s->back++;
            if (before - t > s->max_back) s->max_back = before - t;
        }
        u64 cur = before;
        while (t > cur && !__atomic_compare_exchange_n(&last_max, &cur, t, 1, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            ;
    }
    s->last = own;
}

static void user_write_alias(void *arg) /* ring 3: must fault; writes back what it read */
{
    (void)arg;
    volatile u32 *pad = (volatile u32 *)(ALIAS_VA + 4); /* cpu 0's pad0 */
    *pad = *pad;
}

static void run_reads(void *arg)
{
    struct ustat *s = arg;
    s->entered = user_call(s->cpu, user_reads, s, &s->exit) == 0;
}

static int user_check(const char *cl, u32 online, int stable_bit, int num)
{
    const char *desc = PVCHECK_DESC(KVMCLOCK_USER_MODE);
    int ok = 1;
    if (!pvfeatures_arg_num(cl, "pvtest.kvmclock-reads", &n_reads)) n_reads = 1000000;
    const char *alias = pvfeatures_arg(cl, "pvtest.kvmclock-alias");
    map_alias(alias && alias[0] == 'r' && alias[1] == 'w');

    /* the alias is read-only: a ring-3 write takes #PF with P | W | U (error code 0x7), at it */
    struct user_fault f;
    int r = user_call(0, user_write_alias, 0, &f);
    printf("# user-mode write to the alias 0x%lx: %s vector %d error 0x%lx cr2 0x%lx\n", ALIAS_VA + 4,
           r == 1 ? "fault" : "no fault", r == 1 ? f.vector : -1, r == 1 ? f.error : 0, r == 1 ? f.cr2 : 0);
    if (r != 1 || f.vector != 14 || (f.error & 0x1f) != 0x7 || f.cr2 != ALIAS_VA + 4) {
        ok = 0;
        printf("#   failed: the write did not take #PF(P|W|U) at the alias\n");
    }

    /* every vCPU reads its own structure through the alias in ring 3, all at once: every vCPU
     * that has a TSS and stacks for ring 3 (user_mode.c), the first USER_MAX_CPUS */
    if (online > USER_MAX_CPUS) {
        printf("# user reads on the first %u of %u vCPUs (ring 3 is set up for %u)\n", USER_MAX_CPUS, online,
               USER_MAX_CPUS);
        online = USER_MAX_CPUS;
    }
    want_cpus = online;
    arrived = 0;
    last_max = 0;
    for (u32 cpu = 0; cpu < online; cpu++) {
        ustat[cpu] = (struct ustat){0};
        ustat[cpu].cpu = cpu;
    }
    u64 c0 = rdtsc();
    for (u32 cpu = 1; cpu < online; cpu++)
        if (smp_call(cpu, run_reads, &ustat[cpu])) ok = 0;
    run_reads(&ustat[0]);
    for (u32 cpu = 1; cpu < online; cpu++) smp_wait(cpu);
    u64 cycles = rdtsc() - c0;

    u64 reads = 0, back = 0, max_back = 0, own_back = 0, bad = 0;
    u32 fl = 0xff;
    for (u32 cpu = 0; cpu < online; cpu++) {
        struct ustat *s = &ustat[cpu];
        printf("# user reads cpu %u: %lu reads (%lu after another vCPU's later one), %lu backwards (max %lu ns), "
               "%lu own backwards, %lu torn, %lu..%lu ns, flags 0x%x%s\n", cpu, s->reads, s->cross, s->back,
               s->max_back, s->own_back, s->bad,
               s->first, s->last, s->flags_and, s->entered ? "" : " <- did not return from ring 3");
        if (!s->entered) {
            ok = 0;
            printf("#   cpu %u ring 3 ended by vector %d at rip 0x%lx error 0x%lx cr2 0x%lx\n", cpu,
                   s->exit.vector, s->exit.rip, s->exit.error, s->exit.cr2);
        }
        reads += s->reads; back += s->back; own_back += s->own_back; bad += s->bad;
        if (s->max_back > max_back) max_back = s->max_back;
        fl &= s->flags_and;
    }
    printf("# user reads: %u vCPUs, %lu reads, max backwards step %lu ns, %lu TSC cycles\n", online, reads,
           max_back, cycles);
    if (reads != (u64)online * n_reads || bad) { ok = 0; printf("#   failed: not every read completed\n"); }
    /* one clock for all vCPUs is promised only by PVCLOCK_TSC_STABLE_BIT, trusted only with
     * kvmclock-stable-bit (CPUID bit 24); without them Linux clamps readings itself */
    const char *skip = 0;
    if (!stable_bit || !(fl & 1)) skip = "PVCLOCK_TSC_STABLE_BIT not promised: no monotonic clock across vCPUs";
    else if (back || own_back) { ok = 0; printf("#   failed: a reading went backwards\n"); }
    tap(num, ok, desc, ok ? skip : 0);
    return !ok;
}

int pv_kvmclock_run(const char *cl, unsigned wmsr, unsigned smsr, unsigned long restore, int stable_bit,
                    unsigned online, int first)
{
    int failed = 0;
    if (smsr) {
        sys_msr = smsr;
        wrmsr(smsr, (u64)&clocks.c[0] | 1); /* the BSP moves to its slot in the per-vCPU page */
    }
    failed |= wall_check(cl, smsr ? wmsr : 0, first);
    if (smsr) {
        failed |= per_vcpu_check(online, first + 1);
        failed |= user_check(cl, online, stable_bit, first + 2);
        for (u32 cpu = 1; cpu < online; cpu++)
            if (smp_call(cpu, ap_unregister, 0) == 0) smp_wait(cpu); /* the APs leave no MSR behind */
        wrmsr(smsr, restore);
    } else {
        tap(first + 1, 1, PVCHECK_DESC(KVMCLOCK_PER_VCPU),
            "kvmclock not registered");
        tap(first + 2, 1, PVCHECK_DESC(KVMCLOCK_USER_MODE),
            "kvmclock not registered");
    }
    return failed;
}
