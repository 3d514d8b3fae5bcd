/* cpuid_report.c: the CPUID words a -cpu flag can change, printed once as TAP diagnostics so a
 * test can put QEMU's and vmm's answers side by side. Only the words vmm's X86Feature table
 * covers (leaves 1, 7.0, 0xD.1, 0x80000001); EBX of leaf 1 (APIC ID, CLFLUSH size, count) is
 * per-vCPU and is not printed. Bits that mirror guest state rather than the CPU model are masked
 * to 0, so two VMMs that offer the same model print the same lines. */
#include "kernel.h"
#include "cpuid_report.h"

#define OSXSAVE (1u << 27) /* CPUID.1:ECX, mirrors CR4.OSXSAVE */
#define OSPKE   (1u << 4)  /* CPUID.7.0:ECX, mirrors CR4.PKE */

/* Copies the four bytes of a CPUID register into s (little-endian, as the CPU lays strings out). */
static void reg_chars(char *s, u32 r)
{
    for (int i = 0; i < 4; i++) s[i] = (char)(r >> (8 * i));
}

/* "# cpuid ident ...": who the CPU model says it is (leaf 0 level and vendor, leaf 1 signature,
 * 0x80000000 xlevel, brand string), so named -cpu models can be compared with QEMU too. */
static void ident_report(void)
{
    u32 a, b, c, d, xmax;
    char vendor[13], brand[49];
    cpuid(0, &a, &b, &c, &d);
    reg_chars(vendor, b);
    reg_chars(vendor + 4, d);
    reg_chars(vendor + 8, c);
    vendor[12] = 0;
    u32 level = a;
    cpuid(1, &a, &b, &c, &d);
    u32 sig = a;
    cpuid(0x80000000, &xmax, &b, &c, &d);
    brand[0] = 0;
    if (xmax >= 0x80000004 && xmax <= 0x8000ffff) {
        for (u32 i = 0; i < 3; i++) {
            cpuid(0x80000002 + i, &a, &b, &c, &d);
            reg_chars(brand + 16 * i, a);
            reg_chars(brand + 16 * i + 4, b);
            reg_chars(brand + 16 * i + 8, c);
            reg_chars(brand + 16 * i + 12, d);
        }
        brand[48] = 0;
    }
    printf("# cpuid ident level=0x%08x xlevel=0x%08x sig=0x%08x vendor=%s brand=%s\n", level, xmax, sig,
           vendor, brand);
}

void cpuid_report(void)
{
    u32 max, a, b, c, d;
    ident_report();
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
