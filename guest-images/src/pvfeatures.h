/* pvfeatures: guest-side checks of KVM's paravirtual features (CPUID 0x40000001). */
#ifndef PVFEATURES_H
#define PVFEATURES_H

#define PV_NTESTS 14 /* TAP lines pvfeatures_run always prints */

/* The per-vCPU time structure KVM fills (pvclock_vcpu_time_info), shared by kmain.c and pvfeatures.c. */
struct pvclock {
    unsigned int version, pad0;
    unsigned long long tsc_timestamp, system_time;
    unsigned int tsc_to_system_mul;
    signed char tsc_shift;
    unsigned char flags, pad[2];
} __attribute__((packed));

struct exc_frame;
/* Called first by the exception handler: 1 if the fault was expected (#GP on a guarded
 * rdmsr/wrmsr) and the instruction was skipped, 0 to report it as a failure. */
int pvfeatures_fixup(struct exc_frame *fr);
/* pv_eoi.c: BSP LAPIC timer ticks acked through the PV-EOI word (pv=1, MSR enabled on it) or
 * the APIC EOI register (pv=0). Prints # lines; returns 1 if passed. *skip is set to a reason
 * when the bit could not be observed here (apicv=1: the host said it uses APICv/AVIC). */
int pv_eoi_timer_check(volatile unsigned int *word, int pv, int apicv, const char **skip);
/* Runs PV_NTESTS tests numbered first..first+PV_NTESTS-1; returns 1 if any failed. */
int pvfeatures_run(const char *cmdline, unsigned cpuid_eax, unsigned online_cpus, int first);

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
/* A real async page fault on a page the host evicted (needs vmm run --mem-path): TAP line num;
 * returns 1 if it failed. fixup: its #PF (page not present) and end-of-ring-3 #GP, else 0. */
int pv_asyncpf_run(unsigned cpuid_eax, int leave, int num);
int pv_asyncpf_fixup(struct exc_frame *fr);

#endif
