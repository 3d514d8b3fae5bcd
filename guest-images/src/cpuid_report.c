/* cpuid_report.c: the CPUID words a -cpu flag can change, printed once as TAP diagnostics so a
 * test can put QEMU's and vmm's answers side by side. Only the words vmm's X86Feature table
 * covers (leaves 1, 7.0, 0xD.1, 0x80000001); EBX of leaf 1 (APIC ID, CLFLUSH size, count) is
 * per-vCPU and is not printed. Bits that mirror guest state rather than the CPU model are masked
 * to 0, so two VMMs that offer the same model print the same lines. */
#include "kernel.h"
#include "cpuid_report.h"

#define OSXSAVE (1u << 27) /* CPUID.1:ECX, mirrors CR4.OSXSAVE */
#define OSPKE   (1u << 4)  /* CPUID.7.0:ECX, mirrors CR4.PKE */

void cpuid_report(void)
{
    u32 max, a, b, c, d;
    cpuid(0, &max, &b, &c, &d);
    cpuid(1, &a, &b, &c, &d);
    printf("# cpuid 0x1 ecx=0x%08x edx=0x%08x\n", c & ~OSXSAVE, d);
    /* above the maximum leaf Intel CPUs answer with the highest basic leaf: print nothing then */
    if (max >= 7) {
        cpuid_count(7, 0, &a, &b, &c, &d);
        printf("# cpuid 0x7.0 ebx=0x%08x ecx=0x%08x edx=0x%08x\n", b, c & ~OSPKE, d);
    }
    if (max >= 0xd) {
        cpuid_count(0xd, 1, &a, &b, &c, &d);
        printf("# cpuid 0xd.1 eax=0x%08x\n", a);
    }
    cpuid(0x80000000, &max, &b, &c, &d);
    if (max >= 0x80000001 && max <= 0x8000ffff) {
        cpuid(0x80000001, &a, &b, &c, &d);
        printf("# cpuid 0x80000001 ecx=0x%08x edx=0x%08x\n", c, d);
    }
}
