/*
 * pv_extdest: kvm-msi-ext-dest-id (CPUID 0x40000001 EAX bit 15), proven by an IOAPIC interrupt
 * that reaches the vCPU with the highest APIC ID, which must be above 255 (with --smp 1024 and
 * dense IDs: APIC ID 1023, destination bits 14:8 = 3).
 *
 * With the bit the guest may put destination APIC ID bits 14:8 in IOAPIC redirection-entry bits
 * 55:49 (Linux: "virt_destid_8_14"); the IOAPIC copies them to MSI address bits 11:5 and the VMM
 * moves them to the high address dword KVM's x2APIC API reads. Without the bit QEMU passes the
 * address on untouched (kvm_swizzle_msi_ext_dest_id returns early) and KVM takes the destination
 * from address bits 19:12 only, so the same entry reaches APIC ID (dest & 0xff) instead.
 *
 * Set-up (vmm test does it): -M kernel-irqchip=split --apic-ids 0,256 and pvtest.extdest=1,
 * which puts the BSP in x2APIC mode before the APs start (smp.c makes them follow), so APIC IDs
 * above 255 can be addressed and read back at all.
 *
 * The interrupt: IOAPIC pin 4 (COM1) -> vector EXTDEST_VECTOR, fixed, physical, edge. Enabling
 * the UART's THR-empty interrupt (IER bit 1) raises the pin at once; reading IIR acks it. The
 * target AP is idle in `sti; hlt` (smp.c), so it takes the vector there; the BSP waits with
 * interrupts enabled, as it is the expected receiver when the bit is off.
 */
#include "kernel.h"
#include "pvfeatures.h"
#include "pvchecks.h"

#define IOAPIC 0xFEC00000UL
#define IOAPIC_VER 0x01
#define IOAPIC_RTE(pin) (0x10 + 2 * (pin))
#define RTE_MASKED (1u << 16)
#define KVM_IOAPIC_VERSION 0x11 /* KVM's in-kernel IOAPIC (arch/x86/kvm/ioapic.h); vmm/QEMU: 0x20 */
#define COM1 0x3f8
#define COM1_IRQ 4
#define EXTDEST_VECTOR 0x5d
#define NONE 0xffffffffu
#define MSI_EXT_DEST_ID_BIT 15

static volatile u32 first_id = NONE; /* APIC ID of the CPU that took the vector first */
static volatile u32 hits;

static u32 ioapic_read(u32 reg) { mmio_w32(IOAPIC, reg); return mmio_r32(IOAPIC + 0x10); }
static void ioapic_write(u32 reg, u32 v) { mmio_w32(IOAPIC, reg); mmio_w32(IOAPIC + 0x10, v); }

static void on_vector(struct exc_frame *fr)
{
    (void)fr;
    u32 none = NONE;
    __atomic_compare_exchange_n(&first_id, &none, apic_id(), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&hits, 1, __ATOMIC_SEQ_CST);
    apic_eoi();
}

void pv_extdest_prepare(void)
{
    u32 a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    if (!(c & (1u << 21))) { printf("# extdest: no x2APIC in CPUID, BSP stays in xAPIC mode\n"); return; }
    apic_x2_enable();
    printf("# extdest: BSP in x2APIC mode before the APs start\n");
}

/* Fires pin 4 once at `dest` (bits 7:0 in RTE 63:56, 14:8 in RTE 55:49); waits up to ~1e9 TSC
 * ticks for a CPU to take it. Nothing is printed while the UART interrupt is enabled. */
static void fire(u32 dest)
{
    irq_register(EXTDEST_VECTOR, on_vector);
    first_id = NONE;
    hits = 0;
    ioapic_write(IOAPIC_RTE(COM1_IRQ) + 1, ((dest & 0xff) << 24) | (((dest >> 8) & 0x7f) << 17));
    irq_enable();
    /* take whatever earlier checks left pending on this CPU (e.g. an async-PF "page ready" vector,
     * whose note is printed) before the UART interrupt is on: printing would raise pin 4 again */
    for (int i = 0; i < 1000; i++) pause();
    ioapic_write(IOAPIC_RTE(COM1_IRQ), EXTDEST_VECTOR); /* fixed, physical, edge, high, unmasked */
    outb(COM1 + 1, 0x02);                               /* IER: THR empty -> IRQ 4 rises */
    u64 t0 = rdtsc();
    while (!__atomic_load_n(&hits, __ATOMIC_ACQUIRE) && rdtsc() - t0 < 1000000000UL) pause();
    for (int i = 0; i < 1000; i++) pause();             /* a second delivery would show up here */
    irq_disable();
    ioapic_write(IOAPIC_RTE(COM1_IRQ), RTE_MASKED | EXTDEST_VECTOR);
    outb(COM1 + 1, 0x00);
    (void)inb(COM1 + 2);                                /* IIR read acks THR empty */
}

int pv_extdest_run(unsigned cpuid_eax, unsigned online, int num)
{
    const char *desc = PVCHECK_DESC(MSI_EXT_DEST_ID);
    int bit = (cpuid_eax >> MSI_EXT_DEST_ID_BIT) & 1;
    u32 ver = ioapic_read(IOAPIC_VER) & 0xff;
    const char *skip = 0;
    u32 cpu = 0, target = 0;
    for (u32 i = 1; i < online; i++) /* the highest APIC ID: the farthest an RTE must reach */
        if (smp_apic_id(i) > 255 && smp_apic_id(i) > target) { cpu = i; target = smp_apic_id(i); }
    if (!bit && ver == KVM_IOAPIC_VERSION)
        skip = "in-kernel IOAPIC: QEMU offers kvm-msi-ext-dest-id only with kernel-irqchip=split";
    else if (!apic_x2())
        skip = "BSP not in x2APIC mode: APIC IDs above 255 unreachable (pass pvtest.extdest=1)";
    else if (!cpu)
        skip = "no vCPU with APIC ID above 255 (vmm run -M kernel-irqchip=split --apic-ids 0,256)";
    if (skip) {
        printf("ok %d - %s # SKIP %s\n", num, desc, skip);
        return 0;
    }
    /* bit off: who owns APIC ID target & 0xff, if anybody, must get it instead */
    u32 expect = target;
    if (!bit) {
        expect = NONE;
        for (u32 i = 0; i < online; i++)
            if (smp_apic_id(i) == (target & 0xff)) expect = target & 0xff;
    }
    fire(target);
    printf("# extdest: ioapic version 0x%x, bit 15 %s, RTE dest %u (cpu %u): taken by APIC ID %d, %u time(s)\n",
           ver, bit ? "on" : "off", target, cpu, first_id == NONE ? -1 : (int)first_id, hits);
    int ok = first_id == expect && hits == (expect == NONE ? 0u : 1u);
    if (!ok)
        printf("#   failed: expected APIC ID %d to take it once (%s)\n", expect == NONE ? -1 : (int)expect,
               bit ? "extended bits 55:49 carry ID bits 14:8" : "without the bit only bits 63:56 count");
    printf("%s %d - %s%s\n", ok ? "ok" : "not ok", num, desc, bit ? "" : " (bit off: lands on APIC ID & 0xff)");
    return !ok;
}
