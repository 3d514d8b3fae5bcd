package dev.vmm.cpu;

import java.util.List;

/**
 * What the VMM can offer the guest, derived from KVM_GET_SUPPORTED_CPUID and the irqchip mode.
 *
 * <p>KVM never reports bit 15 (msi-ext-dest-id) or the EDX hint: the VMM decides those, like QEMU
 * does. msi-ext-dest-id needs our user-space IOAPIC (split irqchip) to rewrite MSIs; pv-unhalt kicks
 * need the in-kernel LAPIC; x2APIC likewise needs the in-kernel LAPIC (our user-space path has none).
 *
 * @param eax    leaf 0x40000001 EAX bits the guest may get
 * @param edx    leaf 0x40000001 EDX hints the guest may get
 * @param x2apic CPUID.1:ECX bit 21 may be set
 */
public record HostPvSupport(int eax, int edx, boolean x2apic) {
    public static final int X2APIC_BIT = 1 << 21;
    public static final int HYPERVISOR_BIT = 1 << 31;

    public static HostPvSupport from(List<CpuidEntry> hostSupported, IrqchipMode mode) {
        int eax = 0;
        boolean x2apic = false;
        for (CpuidEntry e : hostSupported) {
            if (e.function() == PvFeature.KVM_CPUID_FEATURES) eax |= e.eax();
            if (e.function() == 1) x2apic = (e.ecx() & X2APIC_BIT) != 0;
        }
        eax &= ~PvFeature.MSI_EXT_DEST_ID.mask();
        if (mode == IrqchipMode.SPLIT) eax |= PvFeature.MSI_EXT_DEST_ID.mask();
        if (!mode.lapicInKernel()) {
            eax &= ~PvFeature.PV_UNHALT.mask();
            x2apic = false;
        }
        // The realtime hint is a promise by the user, never a host capability to check.
        int edx = PvFeature.HINT_DEDICATED.mask();
        return new HostPvSupport(eax, edx, x2apic);
    }

    public int supported(PvFeature.Register reg) {
        switch (reg) {
            case EAX: return eax;
            case EDX: return edx;
            default: return 0;
        }
    }
}
