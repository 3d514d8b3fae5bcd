/* pvfeatures: guest-side checks of KVM's paravirtual features (CPUID 0x40000001). */
#ifndef PVFEATURES_H
#define PVFEATURES_H

#define PV_KVMCLOCK_NTESTS 3 /* TAP lines pv_kvmclock_run prints */
#define PV_NTESTS (15 + PV_KVMCLOCK_NTESTS) /* TAP lines pvfeatures_run always prints */

/* The per-vCPU time structure KVM fills (pvclock_vcpu_time_info), shared by kmain.c and pvfeatures.c. */
struct pvclock {
    unsigned int version, pad0;
    unsigned long long tsc_timestamp, system_time;
    unsigned int tsc_to_system_mul;
    signed char tsc_shift;
    unsigned char flags, pad[2];
} __attribute__((packed));

/* struct kvm_steal_time (64 bytes, 64-byte aligned), filled by KVM for MSR_KVM_STEAL_TIME. */
struct steal_time {
    unsigned long long steal;   /* ns the vCPU was runnable but not running */
    unsigned int version, flags;
    unsigned char preempted;    /* bit 0 KVM_VCPU_PREEMPTED (KVM), bit 1 KVM_VCPU_FLUSH_TLB (guest) */
    unsigned char pad[47];
} __attribute__((aligned(64)));

struct exc_frame;
/* Called first by the exception handler: 1 if the fault was expected (#GP on a guarded
 * rdmsr/wrmsr) and the instruction was skipped, 0 to report it as a failure. */
int pvfeatures_fixup(struct exc_frame *fr);
/* pv_eoi.c: BSP LAPIC timer ticks acked through the PV-EOI word (pv=1, MSR enabled on it) or
 * the APIC EOI register (pv=0). Prints # lines; returns 1 if passed. *skip is set to a reason
 * when the bit could not be observed here (apicv=1: the host said it uses APICv/AVIC).
 * stats_window (non-zero): the host measures the BSP over the first 20 ticks (STATS_WINDOW_EOI_*). */
int pv_eoi_timer_check(volatile unsigned int *word, int pv, int apicv, const char **skip, unsigned stats_window);
/* Runs PV_NTESTS tests numbered first..first+PV_NTESTS-1; returns 1 if any failed. */
int pvfeatures_run(const char *cmdline, unsigned cpuid_eax, unsigned online_cpus, int first);

/* pvfeatures.c: the number after "key=" on the command line; 0 if absent or not a number */
int pvfeatures_arg_num(const char *cmdline, const char *key, unsigned long *out);
const char *pvfeatures_arg(const char *cmdline, const char *key); /* the text after "key=", or 0 */

/* pv_kvmclock.c: prints PV_KVMCLOCK_NTESTS TAP lines numbered first.. (wall clock vs pvtest.epoch,
 * every vCPU's own structure, user-mode reads of a read-only alias). wmsr/smsr: the kvmclock MSRs
 * that worked on the BSP (0: kvmclock not registered: skipped); restore: the BSP's system-time MSR
 * value to leave behind; stable_bit: CPUID 0x40000001 EAX bit 24. Returns 1 if any failed. */
int pv_kvmclock_run(const char *cmdline, unsigned wmsr, unsigned smsr, unsigned long restore,
                    int stable_bit, unsigned online, int first);
/* pv_steal.c: steal time and the preempted byte under host contention (pvtest.contention=1, the
 * VMM's HostContention device on ports 0x5e0-0x5e7). pv_steal_grows: the BSP (st registered on it)
 * is made to wait; returns 0 if steal grew by at least the host's run delay, else the failure.
 * pv_preempted_byte: AP 1 registers st_ap and is made to wait while the BSP watches its preempted
 * byte, requesting a TLB flush (bit 1, cmpxchg) when flush=1; returns 0 if the byte was seen set and
 * then cleared by KVM, else the failure; *skip is set when the host cannot show it (pvm=1: kvm-pvm). */
const char *pv_steal_grows(volatile struct steal_time *st);
const char *pv_preempted_byte(volatile struct steal_time *st_ap, int flush, int pvm, int leave, const char **skip);

/* pv_extdest.c: kvm-msi-ext-dest-id. prepare: BSP to x2APIC mode (pvtest.extdest=1, before
 * smp_start); run: prints TAP line `num`, returns 1 if it failed. */
void pv_extdest_prepare(void);
int pv_extdest_run(unsigned cpuid_eax, unsigned online, int num);

/* pv_asyncpf.c: the async-PF area (MSR_KVM_ASYNC_PF_EN) and its page-ready interrupt. */
#define PV_APF_VECTOR 0xEC
struct pv_apf_data { unsigned int flags, token; unsigned char pad[56]; };
extern volatile struct pv_apf_data pv_apf;
extern volatile unsigned int pv_apf_ready_count, pv_apf_ready_token;
void pv_asyncpf_init(void); /* registers the page-ready handler (ACK + EOI) for PV_APF_VECTOR */
/* A real async page fault on a page the host evicted (needs vmm run --evict-port or --mem-path):
 * TAP line num; returns 1 if it failed. fixup: 1 for its #PF (page not present), which resumes
 * ring 3, else 0. */
int pv_asyncpf_run(unsigned cpuid_eax, int leave, int num);
int pv_asyncpf_fixup(struct exc_frame *fr);

/* The VMM's KvmStatsWindow test device (vmm test's boots; elsewhere the writes are dropped): the
 * host keeps the KVM stats change of the vCPU with APIC ID `apic` between the begin and the end of
 * window `w` (1..255). A vCPU that brackets its own action measures exactly that stretch of its run. */
#define STATS_WINDOW_BEGIN 0x5e8
#define STATS_WINDOW_END 0x5ec
#define STATS_WINDOW_KICK 1      /* AP 1 from just before its HLT to just after it woke (kvm-pv-unhalt) */
#define STATS_WINDOW_PREEMPTED 2 /* AP 1 while the host makes it wait and the BSP watches its byte */
#define STATS_WINDOW_SHORT_HALTS 3 /* the BSP's pvtest.shorthalts halts (kvm-poll-control) */
#define STATS_WINDOW_EOI_APIC 4  /* the BSP's 20 timer ticks acked with the APIC EOI register (kvm-pv-eoi) */
#define STATS_WINDOW_EOI_PV 5    /* ... the next 20, acked through the PV-EOI bit where KVM set it */
#define stats_window_begin(w, apic) outl(STATS_WINDOW_BEGIN, (apic) << 8 | (w)) /* needs kernel.h */
#define stats_window_end(w, apic) outl(STATS_WINDOW_END, (apic) << 8 | (w))

/* pv_poll.c: pvtest.shorthalts=N: N timer-woken ~50 us halts on this CPU (poll-control MSR from
 * pvtest.pollctl=0|1) for the host to count its halt polls; one diagnostic line, no TAP line. */
void pv_poll_short_halts(const char *cmdline);

#endif
