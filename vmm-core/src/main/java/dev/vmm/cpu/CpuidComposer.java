package dev.vmm.cpu;

import java.util.ArrayList;
import java.util.List;

/** Builds the CPUID table for KVM_SET_CPUID2 from the host's supported list and a resolved model. */
public final class CpuidComposer {
    /** "KVMKVMKVM\0\0\0" as EBX, ECX, EDX. */
    public static final int SIG_EBX = 0x4b4d564b;
    public static final int SIG_ECX = 0x564b4d56;
    public static final int SIG_EDX = 0x0000004d;

    private CpuidComposer() {
    }

    /**
     * Host entries with CPUID.1 adjusted (hypervisor bit on, x2APIC per model) and the host's own
     * 0x4000xxxx entries replaced by ours (or removed with {@code kvm=off}). The KVM leaves go right
     * after the basic leaves so reports read in order.
     */
    public static List<CpuidEntry> compose(List<CpuidEntry> hostSupported, CpuModel model) {
        List<CpuidEntry> out = new ArrayList<>();
        boolean inserted = !model.kvmLeaves();
        for (CpuidEntry e : hostSupported) {
            if (isHypervisorRange(e.function())) continue;
            if (!inserted && Integer.compareUnsigned(e.function(), PvFeature.KVM_CPUID_SIGNATURE) > 0) {
                addKvmLeaves(out, model);
                inserted = true;
            }
            if (e.function() == 1) {
                int ecx = e.ecx() | HostPvSupport.HYPERVISOR_BIT;
                ecx = model.x2apic() ? ecx | HostPvSupport.X2APIC_BIT : ecx & ~HostPvSupport.X2APIC_BIT;
                e = e.withRegisters(e.eax(), e.ebx(), ecx, e.edx());
            }
            out.add(e);
        }
        if (!inserted) addKvmLeaves(out, model);
        return out;
    }

    private static void addKvmLeaves(List<CpuidEntry> out, CpuModel model) {
        out.add(new CpuidEntry(PvFeature.KVM_CPUID_SIGNATURE, 0, 0,
                PvFeature.KVM_CPUID_FEATURES, SIG_EBX, SIG_ECX, SIG_EDX));
        out.add(new CpuidEntry(PvFeature.KVM_CPUID_FEATURES, 0, 0, model.eax(), 0, 0, model.edx()));
    }

    /** 0x40000000-0x4fffffff is reserved for hypervisors; KVM may report its own there. */
    static boolean isHypervisorRange(int function) {
        return (function & 0xf0000000) == 0x40000000;
    }

    /**
     * Per-vCPU copy: initial APIC ID in CPUID.1:EBX[31:24] (8 bits, as the hardware has) and the
     * full x2APIC ID in EDX of every sub-leaf of 0xB and 0x1F. Topology shifts are left as given.
     */
    public static List<CpuidEntry> forVcpu(List<CpuidEntry> entries, int apicId) {
        List<CpuidEntry> out = new ArrayList<>(entries.size());
        for (CpuidEntry e : entries) {
            if (e.function() == 1) {
                int ebx = (e.ebx() & 0x00ffffff) | ((apicId & 0xff) << 24);
                e = e.withRegisters(e.eax(), ebx, e.ecx(), e.edx());
            } else if (e.function() == 0xb || e.function() == 0x1f) {
                e = e.withRegisters(e.eax(), e.ebx(), e.ecx(), apicId);
            }
            out.add(e);
        }
        return out;
    }
}
