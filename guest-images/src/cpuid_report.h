#ifndef CPUID_REPORT_H
#define CPUID_REPORT_H
/* Prints "# cpuid ident ...", "# cpuid 0x1 ...", "# cpuid 0x7.0 ...", "# cpuid 0xd.1 ...", "# cpuid 0x80000001 ...". */
void cpuid_report(void);
#endif
