/* apic.c: the local APIC in either mode. xAPIC registers are MMIO at 0xFEE00000; in x2APIC mode
 * the same register is MSR 0x800 + offset/16, and the ICR is one 64-bit MSR with a 32-bit
 * destination (which is how APIC IDs above 255 are reached). */
#include "kernel.h"

#define APIC_MMIO 0xFEE00000UL
#define MSR_APIC_BASE 0x1B
#define APIC_BASE_EXTD (1UL << 10)
#define APIC_BASE_EN (1UL << 11)
#define ICR_PENDING (1u << 12)

int apic_x2(void) { return (rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD) != 0; }

void apic_x2_enable(void) { wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD); }

u32 apic_read(u32 reg)
{
    return apic_x2() ? (u32)rdmsr(0x800 + (reg >> 4)) : mmio_r32(APIC_MMIO + reg);
}

void apic_write(u32 reg, u32 v)
{
    if (apic_x2()) wrmsr(0x800 + (reg >> 4), v);
    else mmio_w32(APIC_MMIO + reg, v);
}

void apic_enable(void) { apic_write(APIC_SVR, apic_read(APIC_SVR) | 0x100 | APIC_SPURIOUS_VECTOR); }

u32 apic_id(void) { return apic_x2() ? (u32)rdmsr(0x802) : apic_read(APIC_ID) >> 24; }

void apic_eoi(void) { apic_write(APIC_EOI, 0); }

void apic_send_ipi(u32 dest, u32 icr_low)
{
    if (apic_x2()) {
        wrmsr(0x830, ((u64)dest << 32) | icr_low); /* no delivery-status bit in x2APIC mode */
        return;
    }
    mmio_w32(APIC_MMIO + 0x310, dest << 24);
    mmio_w32(APIC_MMIO + APIC_ICR, icr_low);
    for (int i = 0; i < 100000 && (mmio_r32(APIC_MMIO + APIC_ICR) & ICR_PENDING); i++) pause();
}
