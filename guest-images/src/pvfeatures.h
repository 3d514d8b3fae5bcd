/* pvfeatures: guest-side checks of KVM's paravirtual features (CPUID 0x40000001). */
#ifndef PVFEATURES_H
#define PVFEATURES_H

#define PV_NTESTS 11 /* TAP lines pvfeatures_run always prints */

struct exc_frame;
/* Called first by the exception handler: 1 if the fault was expected (#GP on a guarded
 * rdmsr/wrmsr) and the instruction was skipped, 0 to report it as a failure. */
int pvfeatures_fixup(struct exc_frame *fr);
/* Runs PV_NTESTS tests numbered first..first+PV_NTESTS-1; returns 1 if any failed. */
int pvfeatures_run(const char *cmdline, unsigned cpuid_eax, unsigned online_cpus, int first);

#endif
