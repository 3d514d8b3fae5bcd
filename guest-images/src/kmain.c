/* pvtest: freestanding TAP test kernel for the vmm project. */
#include "kernel.h"
#include "pvfeatures.h"
#include "serial_input.h"
#include "cpuid_report.h"

#define NTESTS 4

extern u32 boot_magic;

static int cur_test = 0;
static int failed = 0;

static void result(int ok, const char *desc, const char *directive)
{
    if (!ok) failed = 1;
    printf("%s %d - %s%s\n", ok ? "ok" : "not ok", cur_test, desc, directive ? directive : "");
}

void fatal_exception(struct exc_frame *fr)
{
    u64 cr2;
    __asm__ volatile("mov %%cr2,%0" : "=r"(cr2));
    printf("not ok %d - unexpected exception %u at rip=0x%lx\n", cur_test ? cur_test : 1,
           (u32)fr->vector, fr->rip);
    printf("# vector=%u error=0x%lx cs=0x%lx rflags=0x%lx rsp=0x%lx cr2=0x%lx\n",
           (u32)fr->vector, fr->error, fr->cs, fr->rflags, fr->rsp, cr2);
    do_exit(1);
}

/* ---- pvtest.spin=user: ring 3 (IF=0) forever, by user_call ---- */
static void user_spin(void *arg) /* ring 3, never returns */
{
    (void)arg;
    for (;;) __asm__ volatile("incq %%rax" ::: "rax");
}

static void __attribute__((noreturn)) spin_user(void)
{
    printf("# spinning in user mode\n");
    struct user_fault f;
    user_call(0, user_spin, 0, &f); /* returns only if ring 3 took an exception */
    printf("not ok %d - unexpected exception %d in user mode at rip=0x%lx\n", cur_test ? cur_test : 1,
           f.vector, f.rip);
    printf("# vector=%d error=0x%lx cr2=0x%lx\n", f.vector, f.error, f.cr2);
    do_exit(1);
}

/* ---- command line ---- */
static const char *get_cmdline(u32 proto, u32 info)
{
    if (!info) return 0;
    if (proto == 1) {
        u32 flags = *(volatile u32 *)(u64)info;
        if (flags & (1u << 2)) return (const char *)(u64) * (volatile u32 *)(u64)(info + 16);
    } else if (proto == 2) {
        u64 p = *(volatile u64 *)(u64)(info + 24);
        if (p && p < 0x100000000UL) return (const char *)p;
    }
    return 0;
}

/* ---- fw_cfg ---- */
/* the first `bytes` bytes of item `key`, little-endian (*sig_ok: the "QEMU" signature was there) */
static u64 fw_cfg_read(u16 key, int bytes, u8 *sig_ok)
{
    outw(0x510, 0x0000);
    char s[4];
    for (int i = 0; i < 4; i++) s[i] = (char)inb(0x511);
    *sig_ok = s[0] == 'Q' && s[1] == 'E' && s[2] == 'M' && s[3] == 'U';
    outw(0x510, key);
    u64 v = 0;
    for (int i = 0; i < bytes; i++) v |= (u64)inb(0x511) << (8 * i);
    return v;
}

/* RAM size in bytes: fw_cfg's FW_CFG_RAM_SIZE, else multiboot's mem_upper (KiB above 1 MiB), else 0 */
static u64 ram_size(u32 proto, u32 info)
{
    u8 ok;
    u64 ram = fw_cfg_read(0x03, 8, &ok);
    if (ok && ram) return ram;
    if (proto == 1 && info && (*(volatile u32 *)(u64)info & 1))
        return ((u64)*(volatile u32 *)(u64)(info + 8) << 10) + 0x100000;
    return 0;
}

static int has_word(const char *s, const char *w)
{
    if (!s) return 0;
    for (const char *start = s; *s; s++) {
        if (s != start && s[-1] != ' ') continue;
        const char *a = s, *b = w;
        while (*b && *a == *b) { a++; b++; }
        if (!*b && (*a == 0 || *a == ' ')) return 1;
    }
    return 0;
}

/* ---- ACPI MADT fallback (when fw_cfg is absent) ---- */
static int sig_eq(const volatile u8 *p, const char *sig, int n)
{
    for (int i = 0; i < n; i++)
        if (p[i] != (u8)sig[i]) return 0;
    return 1;
}
static u64 find_rsdp(u32 proto, u32 info)
{
    if (proto == 2) {
        u64 r = *(volatile u64 *)(u64)(info + 32);
        if (r && r < 0x100000000UL && sig_eq((const u8 *)r, "RSD PTR ", 8)) return r;
    }
    u64 bda = 0x40E;                      /* BIOS data area: EBDA segment */
    __asm__("" : "+r"(bda));              /* hide the constant address from -Warray-bounds */
    u64 ebda = (u64)(*(volatile u16 *)bda) << 4;
    if (ebda >= 0x80000 && ebda < 0xA0000)
        for (u64 a = ebda; a < ebda + 1024; a += 16)
            if (sig_eq((const u8 *)a, "RSD PTR ", 8)) return a;
    for (u64 a = 0xE0000; a < 0x100000; a += 16)
        if (sig_eq((const u8 *)a, "RSD PTR ", 8)) return a;
    return 0;
}
/* number of enabled processor-local-APIC / x2APIC entries, 0 if no MADT */
static u32 madt_cpus(u32 proto, u32 info)
{
    u64 rsdp = find_rsdp(proto, info);
    if (!rsdp) return 0;
    const volatile u8 *r = (const u8 *)rsdp;
    u64 sdt;
    int esz;
    if (r[15] >= 2 && *(volatile u64 *)(rsdp + 24)) { sdt = *(volatile u64 *)(rsdp + 24); esz = 8; }
    else { sdt = *(volatile u32 *)(rsdp + 16); esz = 4; }
    if (!sdt || sdt >= 0x100000000UL) return 0;
    u32 len = *(volatile u32 *)(sdt + 4);
    for (u64 e = sdt + 36; e + esz <= sdt + len; e += esz) {
        u64 t = esz == 8 ? *(volatile u64 *)e : *(volatile u32 *)e;
        if (!t || t >= 0x100000000UL || !sig_eq((const u8 *)t, "APIC", 4)) continue;
        u32 tl = *(volatile u32 *)(t + 4), n = 0;
        for (u64 p = t + 44; p + 2 <= t + tl;) {
            const volatile u8 *ent = (const u8 *)p;
            if (ent[1] < 2) break;
            if (ent[0] == 0 && (*(volatile u32 *)(p + 4) & 1)) n++;
            if (ent[0] == 9 && (*(volatile u32 *)(p + 8) & 1)) n++;
            p += ent[1];
        }
        return n;
    }
    return 0;
}

/* ---- kvmclock ---- */
static volatile struct pvclock kvmclock __attribute__((aligned(32)));

/*
 * ---- pvtest.reset: a marker in RAM that survives the reset ----
 * 2 MiB - 4 KiB: inside the smallest RAM vmm allows, above this kernel (linker.ld asserts it),
 * and written by neither vmm's loaders nor QEMU's firmware (SeaBIOS reuses 0x7f000 on -M pc).
 */
#ifndef RESET_MARKER_ADDR
#define RESET_MARKER_ADDR 0x1ff000UL
#endif
#define RESET_MAGIC 0x52455345545f5054UL /* "TP_RESET" */
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define MSR_KVM_POLL_CONTROL 0x4b564d05

static volatile u64 *reset_marker(void)
{
    u64 a = RESET_MARKER_ADDR;
    __asm__("" : "+r"(a)); /* hide the constant address from -Warray-bounds */
    return (volatile u64 *)a;
}

static void count_call(void *counter) { __atomic_fetch_add((volatile u32 *)counter, 1, __ATOMIC_RELAXED); }

void kmain(u32 proto, u32 info)
{
    u32 a, b, c, d;

    idt_load();
    user_mode_setup(); /* the per-CPU TSSs for user_call: pv_kvmclock, pv_asyncpf, spin_user */
    console_init();
    /* interrupts come through the local APIC and IOAPIC only: mask both 8259 PICs, whose
     * output KVM wires to the BSP's LINT0 (ExtINT) and which nobody programmed (vector base 0) */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);

    const char *cl = get_cmdline(proto, info);
    int reset_mode = has_word(cl, "pvtest.reset");
    int second_boot = reset_mode && *reset_marker() == RESET_MAGIC;

    if (reset_mode && !second_boot) {
        /* first boot: dirty the PV MSRs the reset must clear, then ask the i8042 for a reset */
        puts("TAP version 14\n");
        printf("1..0 # SKIP pvtest.reset first boot: the tests run after the reset\n");
        *reset_marker() = RESET_MAGIC;
        cpuid(0x40000000, &a, &b, &c, &d);
        u32 f = 0;
        if (b == 0x4b4d564b && c == 0x564b4d56 && d == 0x0000004d) cpuid(0x40000001, &f, &b, &c, &d);
        if (f & (1u << 3)) {
            /* nonzero here means firmware left kvmclock on (SeaBIOS does on QEMU -M pc) */
            printf("# kvmclock msr 0x%x at entry = 0x%lx\n", MSR_KVM_SYSTEM_TIME_NEW, rdmsr(MSR_KVM_SYSTEM_TIME_NEW));
            wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (u64)&kvmclock | 1);
            printf("# kvmclock enabled: msr 0x%x = 0x%lx\n", MSR_KVM_SYSTEM_TIME_NEW, rdmsr(MSR_KVM_SYSTEM_TIME_NEW));
        }
        if (f & (1u << 12)) {
            wrmsr(MSR_KVM_POLL_CONTROL, 0);
            printf("# poll-control msr 0x%x = 0x%lx\n", MSR_KVM_POLL_CONTROL, rdmsr(MSR_KVM_POLL_CONTROL));
        }
        printf("# resetting\n");
        outb(0x64, 0xFE);
        for (int i = 0; i < 1000000; i++) pause();
        printf("not ok 1 - reset: i8042 reset (0xFE to port 0x64) did not reset the machine\n");
        *reset_marker() = 0;
        do_exit(1);
    }

    /* second boot: read the PV MSRs before test 4 touches kvmclock */
    u64 after_reset_clock = ~0UL, after_reset_poll = ~0UL;
    u32 after_reset_feat = 0;
    if (second_boot) {
        cpuid(0x40000000, &a, &b, &c, &d);
        if (b == 0x4b4d564b && c == 0x564b4d56 && d == 0x0000004d) cpuid(0x40000001, &after_reset_feat, &b, &c, &d);
        if (after_reset_feat & (1u << 3)) after_reset_clock = rdmsr(MSR_KVM_SYSTEM_TIME_NEW);
        if (after_reset_feat & (1u << 12)) after_reset_poll = rdmsr(MSR_KVM_POLL_CONTROL);
    }

    puts("TAP version 14\n");
    int echo = has_word(cl, "pvtest.echo");
    /* pvtest.only=extdest: of the PV checks only kvm-msi-ext-dest-id, for boots with hundreds of
     * vCPUs (the others run work on every AP; ring 0 may be emulated at ~1 us per instruction) */
    int extdest_only = has_word(cl, "pvtest.only=extdest");
    int pv_count = extdest_only ? 1 : PV_NTESTS;
    printf("1..%d\n", NTESTS + (second_boot ? 2 : 0) + pv_count + (echo ? 1 : 0));
    printf("# pvtest kernel\n");
    printf("# boot protocol: %s\n", proto == 1 ? "multiboot" : proto == 2 ? "pvh" : "unknown");
    if (proto == 0) printf("# boot magic eax=0x%08x ebx=0x%08x\n", boot_magic, info);
    printf("# cmdline: %s\n", cl ? cl : "");

    /* 1: hypervisor bit */
    cur_test = 1;
    if (has_word(cl, "pvtest.fault=ud")) /* self-test of the exception path */
        __asm__ volatile("ud2");
    if (has_word(cl, "pvtest.fault=pf"))
        (void)*(volatile u32 *)0x200000000UL; /* beyond the 4 GiB identity map */
    cpuid(1, &a, &b, &c, &d);
    result((c >> 31) & 1, "cpuid: hypervisor bit set", 0);

    /* 2: KVM signature */
    cur_test = 2;
    u32 max_leaf;
    cpuid(0x40000000, &max_leaf, &b, &c, &d);
    u32 sig[3] = { b, c, d };
    char sigs[13];
    for (int i = 0; i < 12; i++) sigs[i] = ((const char *)sig)[i];
    sigs[12] = 0;
    int kvm = b == 0x4b4d564b && c == 0x564b4d56 && d == 0x0000004d;
    result(kvm, "cpuid: KVM signature", 0);
    for (int i = 0; i < 12; i++)
        if (sigs[i] && (sigs[i] < 0x20 || sigs[i] > 0x7e)) sigs[i] = '?';
    printf("# hypervisor signature \"%s\" max leaf 0x%08x\n", sigs, max_leaf);
    u32 kf_a, kf_b, kf_c, kf_d;
    cpuid(0x40000001, &kf_a, &kf_b, &kf_c, &kf_d);
    printf("# cpuid 0x40000001 eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", kf_a, kf_b, kf_c, kf_d);
    cpuid_report();
    if (!kvm) kf_a = 0;

    /* 3: SMP bring-up */
    cur_test = 3;
    u8 fw_ok;
    u32 ncpu = (u32)fw_cfg_read(0x05, 2, &fw_ok);
    if (has_word(cl, "pvtest.nofwcfg")) fw_ok = 0; /* test the MADT fallback */
    if (!fw_ok || ncpu == 0 || ncpu > SMP_MAX_CPUS) {
        ncpu = madt_cpus(proto, info);
        if (ncpu && ncpu <= SMP_MAX_CPUS) {
            printf("# fw_cfg not available, ACPI MADT lists %u CPUs\n", ncpu);
        } else {
            printf("# neither fw_cfg nor ACPI MADT available, assuming 1 CPU\n");
            ncpu = 1;
        }
    }
    if (has_word(cl, "pvtest.extdest=1")) pv_extdest_prepare(); /* x2APIC before the APs start */
    u32 online = smp_start(ncpu, ram_size(proto, info));
    printf("# cpus online: %u of %u\n", online, ncpu);
    /* every AP must also take work from its mailbox (the PV checks run code on APs) */
    u32 answered = 0;
    for (u32 i = 1; i < online; i++) {
        if (smp_call(i, count_call, &answered) == 0) smp_wait(i);
    }
    if (online > 1) {
        printf("# apic ids:");
        for (u32 i = 0; i < online; i++) printf(" %u", smp_apic_id(i));
        printf("; %u of %u APs ran a function\n", answered, online - 1);
    }
    {
        char desc[48];
        const char *p1 = "smp: all ";
        int n = 0;
        while (*p1) desc[n++] = *p1++;
        char num[12]; int k = 0; u32 v = ncpu;
        do { num[k++] = (char)('0' + v % 10); v /= 10; } while (v);
        while (k) desc[n++] = num[--k];
        const char *p2 = " CPUs online";
        while (*p2) desc[n++] = *p2++;
        desc[n] = 0;
        result(online == ncpu && answered == online - 1, desc, 0);
    }

    /* 4: kvmclock */
    cur_test = 4;
    u32 msr = 0;
    if (kf_a & (1u << 3)) msr = 0x4b564d01;
    else if (kf_a & (1u << 0)) msr = 0x12;
    if (!msr) {
        result(1, "kvmclock: read system time", " # SKIP kvmclock not offered");
    } else {
        wrmsr(msr, (u64)&kvmclock | 1);
        u32 ver = 0;
        u64 st = 0;
        u8 fl = 0;
        for (int tries = 0; tries < 1000; tries++) {
            ver = kvmclock.version;
            __asm__ volatile("" ::: "memory");
            st = kvmclock.system_time;
            fl = kvmclock.flags;
            __asm__ volatile("" ::: "memory");
            if (!(ver & 1) && ver == kvmclock.version) break;
            pause();
        }
        wrmsr(msr, 0);
        printf("# kvmclock msr=0x%x version=%u system_time=%luns flags=0x%02x\n", msr, ver, st, fl);
        result(ver && !(ver & 1) && st != 0, "kvmclock: read system time", 0);
    }

    if (second_boot) {
        /* 5, 6: QEMU's reset rule: PV MSRs back to 0, poll-control back to 1 */
        *reset_marker() = 0;
        printf("# second boot after reset\n");
        cur_test = 5;
        if (after_reset_feat & (1u << 3)) {
            u64 v = after_reset_clock;
            printf("# kvmclock msr 0x%x = 0x%lx\n", MSR_KVM_SYSTEM_TIME_NEW, v);
            result(v == 0, "reset: kvmclock MSR is 0 after reset", 0);
        } else {
            result(1, "reset: kvmclock MSR is 0 after reset", " # SKIP kvmclock not offered");
        }
        cur_test = 6;
        if (after_reset_feat & (1u << 12)) {
            u64 v = after_reset_poll;
            printf("# poll-control msr 0x%x = 0x%lx\n", MSR_KVM_POLL_CONTROL, v);
            result(v == 1, "reset: poll-control MSR is 1 after reset", 0);
        } else {
            result(1, "reset: poll-control MSR is 1 after reset", " # SKIP kvm-poll-control not offered");
        }
    }
    {
        /* the PV checks follow the reset checks when there are any */
        int pv_first = NTESTS + (second_boot ? 2 : 0) + 1;
        cur_test = pv_first;
        if (extdest_only) failed |= pv_extdest_run(kf_a, online, pv_first);
        else failed |= pvfeatures_run(cl, kf_a, online, pv_first);
        if (echo) { /* last: it waits for the user */
            cur_test = pv_first + pv_count;
            result(serial_input_run(), "serial: input lines arrive by IRQ 4 interrupts", 0);
        }
    }

    pv_poll_short_halts(cl); /* pvtest.shorthalts=N: for the host's halt-poll counters */
    if (has_word(cl, "pvtest.spin=user")) spin_user();
    if (has_word(cl, "pvtest.spin=kernel")) {
        printf("# spinning in kernel mode\n");
        for (;;) __asm__ volatile("cli; 1: jmp 1b");
    }

    do_exit(failed ? 1 : 0);
}
