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
     * Host entries with the x86 feature words replaced by the model's (hypervisor bit, x2APIC and the
     * user's flags; OSXSAVE/OSPKE clear), leaf 0xD emptied without XSAVE, and the host's own
     * 0x4000xxxx entries replaced by ours (or removed with {@code kvm=off}). The KVM leaves go right
     * after the basic leaves so reports read in order.
     */
    public static List<CpuidEntry> compose(List<CpuidEntry> hostSupported, CpuModel model) {
        return compose(hostSupported, model, 1);
    }

    /**
     * As {@link #compose(List, CpuModel)} for a machine of {@code cpus} vCPUs: QEMU sets CmpLegacy
     * (0x80000001 ECX bit 1) for a vendor other than Intel when a package has more than one logical
     * CPU, which vmm's packages do (its vCPUs are one package's cores). {@code -cpu host} gets the bit
     * from KVM's list already; a table model does not have it in its definition.
     */
    public static List<CpuidEntry> compose(List<CpuidEntry> hostSupported, CpuModel model, int cpus) {
        List<CpuidEntry> out = new ArrayList<>();
        boolean inserted = !model.kvmLeaves();
        X86Features x86 = model.x86();
        boolean xsave = (x86.word(X86FeatureWord.CPUID_1_ECX) & XSAVE_BIT) != 0;
        CpuIdentity id = model.identity();
        boolean amd = id.vendor() != null ? id.vendor().equals(AMD_VENDOR) : isAmd(hostSupported);
        for (CpuidEntry e : withBrandLeaves(hostSupported, id)) {
            if (isHypervisorRange(e.function())) continue;
            if (beyondLevel(e.function(), id)) continue;
            e = applyIdentity(e, id, hostSupported);
            if (!inserted && Integer.compareUnsigned(e.function(), PvFeature.KVM_CPUID_SIGNATURE) > 0) {
                addKvmLeaves(out, model);
                inserted = true;
            }
            for (X86FeatureWord w : X86FeatureWord.values()) {
                if (w.matches(e)) e = w.write(e, x86.word(w));
            }
            if (e.function() == 0x80000001 && cpus > 1 && !INTEL_VENDOR.equals(vendorOf(hostSupported, model))) {
                e = e.withRegisters(e.eax(), e.ebx(), e.ecx() | CMP_LEGACY_BIT, e.edx());
            }
            if (amd && e.function() == 0x80000001) {
                // QEMU on AMD: these 0x80000001 EDX bits copy CPUID.1:EDX, so -fpu and friends hit both.
                int edx = (e.edx() & ~AMD_ALIASES) | (x86.word(X86FeatureWord.CPUID_1_EDX) & AMD_ALIASES);
                e = e.withRegisters(e.eax(), e.ebx(), e.ecx(), edx);
            }
            if (!xsave && e.function() == 0xd) {
                // SDM: without CPUID.1:ECX.XSAVE leaf 0xD enumerates nothing; QEMU answers zeros.
                e = e.withRegisters(0, 0, 0, 0);
            }
            out.add(e);
        }
        if (!inserted) addKvmLeaves(out, model);
        return out;
    }

    static final String AMD_VENDOR = "AuthenticAMD";
    static final String INTEL_VENDOR = "GenuineIntel";
    /** CPUID.80000001h:ECX bit 1, CmpLegacy. */
    static final int CMP_LEGACY_BIT = 1 << 1;

    private static String vendorOf(List<CpuidEntry> host, CpuModel model) {
        return model.identity().vendor() != null ? model.identity().vendor() : hostVendor(host);
    }

    /** A leaf above the model's level (basic) or xlevel (extended) does not exist for the guest. */
    static boolean beyondLevel(int function, CpuIdentity id) {
        if (Integer.compareUnsigned(function, 0x40000000) < 0) {
            return id.level() != null && Integer.compareUnsigned(function, id.level()) > 0;
        }
        if ((function & 0xf0000000) == 0x80000000) {
            return id.xlevel() != null && Integer.compareUnsigned(function, id.xlevel()) > 0;
        }
        return false;
    }

    /** Leaves 0x80000002..4 for a model-id the host's list lacks them for (xlevel permitting). */
    private static List<CpuidEntry> withBrandLeaves(List<CpuidEntry> host, CpuIdentity id) {
        if (id.modelId() == null) return host;
        List<CpuidEntry> out = new ArrayList<>(host);
        for (int f = 0x80000002; f <= 0x80000004; f++) {
            final int fn = f;
            if (out.stream().noneMatch(e -> e.function() == fn)) {
                int at = out.size();
                for (int i = 0; i < out.size(); i++) {
                    if (Integer.compareUnsigned(out.get(i).function(), fn) > 0
                            && (out.get(i).function() & 0xf0000000) == 0x80000000) {
                        at = i;
                        break;
                    }
                }
                out.add(at, new CpuidEntry(fn, 0, 0, 0, 0, 0, 0));
            }
        }
        return out;
    }

    /** Vendor, signature, levels, brand string, phys-bits and the PMU leaf, as QEMU's cpu_x86_cpuid has them. */
    private static CpuidEntry applyIdentity(CpuidEntry e, CpuIdentity id, List<CpuidEntry> host) {
        switch (e.function()) {
            case 0: {
                int eax = id.level() != null ? id.level() : e.eax();
                if (id.vendor() == null) return e.withRegisters(eax, e.ebx(), e.ecx(), e.edx());
                int[] v = CpuIdentity.vendorWords(id.vendor());
                return e.withRegisters(eax, v[0], v[2], v[1]);
            }
            case 1:
                if (id.family() == null) return e;
                return e.withRegisters(CpuIdentity.signature(id.family(), id.model(), id.stepping()),
                        e.ebx(), e.ecx(), e.edx());
            case 0xa:
                return id.pmu() ? e : e.withRegisters(0, 0, 0, 0);
            case 0x80000000: {
                int eax = id.xlevel() != null ? id.xlevel() : e.eax();
                if (id.vendor() == null && id.xlevel() == null) return e;
                // QEMU repeats the vendor here for every vendor (real Intel CPUs leave it zero).
                int[] v = CpuIdentity.vendorWords(id.vendor() != null ? id.vendor() : hostVendor(host));
                return e.withRegisters(eax, v[0], v[2], v[1]);
            }
            case 0x80000002:
            case 0x80000003:
            case 0x80000004: {
                if (id.modelId() == null) return e;
                int[] b = CpuIdentity.brandWords(id.modelId());
                int i = (e.function() - 0x80000002) * 4;
                return e.withRegisters(b[i], b[i + 1], b[i + 2], b[i + 3]);
            }
            case 0x80000008:
                if (id.physBits() == null) return e;
                return e.withRegisters((e.eax() & ~0xff) | id.physBits(), e.ebx(), e.ecx(), e.edx());
            default:
                return e;
        }
    }

    private static String hostVendor(List<CpuidEntry> host) {
        for (CpuidEntry e : host) {
            if (e.function() == 0) {
                int[] w = {e.ebx(), e.edx(), e.ecx()};
                StringBuilder sb = new StringBuilder();
                for (int r : w) {
                    for (int i = 0; i < 4; i++) sb.append((char) ((r >> (8 * i)) & 0xff));
                }
                return sb.toString();
            }
        }
        return "";
    }

    /** CPUID.1:ECX bit 26. */
    static final int XSAVE_BIT = 1 << 26;
    /** QEMU's CPUID_EXT2_AMD_ALIASES: fpu..apic, mtrr..pse36, mmx, fxsr. */
    static final int AMD_ALIASES = 0x0183f3ff;

    /** Vendor "AuthenticAMD" in leaf 0 (EBX, EDX, ECX). */
    static boolean isAmd(List<CpuidEntry> entries) {
        for (CpuidEntry e : entries) {
            if (e.function() == 0) {
                return e.ebx() == 0x68747541 && e.edx() == 0x69746e65 && e.ecx() == 0x444d4163;
            }
        }
        return false;
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
