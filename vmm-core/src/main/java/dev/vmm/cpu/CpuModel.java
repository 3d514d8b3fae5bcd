package dev.vmm.cpu;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A resolved {@code -cpu}: what the guest will see in the KVM leaves and CPUID.1.
 *
 * @param spec            the parsed string
 * @param irqchip         the irqchip mode it was resolved for
 * @param eax             leaf 0x40000001 EAX (after dropping what the host lacks)
 * @param edx             leaf 0x40000001 EDX hints
 * @param kvmLeaves       false with {@code kvm=off}: leaves 0x40000000/1 hidden, no PV features
 * @param x2apic          CPUID.1:ECX bit 21 for the guest
 * @param x86             the ordinary CPUID feature words (leaves 1, 7, 0xD.1, 0x80000001)
 * @param enforce         QEMU's {@code enforce}: missing features were fatal (we got here, so none)
 * @param enforcePvCpuid  {@code kvm-pv-enforce-cpuid}: enable KVM_CAP_ENFORCE_PV_FEATURE_CPUID
 * @param identity        vendor, family/model/stepping, levels, model-id, phys-bits, pmu (null fields: host's)
 * @param warnings        lines for stderr, each starting with "warning: "
 */
public record CpuModel(CpuModelSpec spec, IrqchipMode irqchip, int eax, int edx, boolean kvmLeaves,
                       boolean x2apic, X86Features x86, boolean enforce, boolean enforcePvCpuid,
                       CpuIdentity identity, List<String> warnings) {

    /** QEMU's TCG_PHYS_ADDR_BITS: the phys-bits of a named model unless host-phys-bits or phys-bits says otherwise. */
    static final int DEFAULT_PHYS_BITS = 40;

    public CpuModel {
        warnings = List.copyOf(warnings);
    }

    /** Features on: CPUID features with any of their bits set, plus kvm-pv-enforce-cpuid. */
    public Set<PvFeature> features() {
        EnumSet<PvFeature> set = EnumSet.noneOf(PvFeature.class);
        for (PvFeature f : PvFeature.values()) {
            if (isOn(f)) set.add(f);
        }
        return set;
    }

    public boolean isOn(PvFeature f) {
        switch (f.register()) {
            case EAX: return (eax & f.mask()) != 0;
            case EDX: return (edx & f.mask()) != 0;
            default: return f == PvFeature.PV_ENFORCE_CPUID && enforcePvCpuid;
        }
    }

    public static CpuModel resolve(String spec, List<CpuidEntry> hostSupported, IrqchipMode mode) {
        return resolve(CpuModelSpec.parse(spec), hostSupported, mode);
    }

    public static CpuModel resolve(CpuModelSpec spec, List<CpuidEntry> hostSupported,
                                   IrqchipMode mode) {
        HostPvSupport host = HostPvSupport.from(hostSupported, mode);
        List<String> warnings = new ArrayList<>(spec.warnings());

        // Starting point. host/max: whatever the host offers (no hints: they are promises
        // the user makes). Named models: QEMU's kvm_default_props.
        int eax = 0;
        int edx = 0;
        boolean x2apic;
        boolean x2apicRequested; // a request the host can refuse (and we warn about)
        if (spec.hostModel()) {
            eax = host.eax();
            x2apic = host.x2apic();
            x2apicRequested = false;
        } else {
            for (PvFeature f : PvFeature.values()) {
                if (f.register() == PvFeature.Register.EAX && f.defaultOn(mode)) eax |= f.mask();
            }
            // QEMU's KVM defaults include x2apic=on, changed to off when the LAPIC is not in the
            // kernel, so that a plain kvm64 does not warn under kernel-irqchip=off.
            x2apic = mode.lapicInKernel();
            x2apicRequested = x2apic;
        }
        boolean kvm = true;
        boolean enforce = false;
        boolean enforcePv = false;

        // QEMU order: feat=value in command-line order, then every +feat, then every -feat.
        List<CpuOption> ordered = new ArrayList<>(spec.options());
        ordered.sort(Comparator.comparingInt(CpuModel::applyOrder)); // stable: keeps line order
        for (CpuOption o : ordered) {
            switch (o.name()) {
                case "kvm":
                    kvm = o.on();
                    continue;
                case "enforce":
                    enforce = o.on();
                    continue;
                case "check":
                    continue; // warnings are always collected; check only asks for them
                case "pmu":
                case "migratable":
                case "host-phys-bits":
                    continue; // identity(), below
                case "x2apic":
                    x2apic = o.on();
                    x2apicRequested = o.on();
                    continue;
                default:
                    break;
            }
            if (X86Feature.byName(o.name()).isPresent()) continue; // X86Features.resolve, below
            PvFeature f = PvFeature.byName(o.name()).orElseThrow();
            switch (f.register()) {
                case EAX: eax = o.on() ? eax | f.mask() : eax & ~f.mask(); break;
                case EDX: edx = o.on() ? edx | f.mask() : edx & ~f.mask(); break;
                default: enforcePv = o.on(); break;
            }
        }

        // QEMU enables msi-ext-dest-id by default only "in x2apic mode with split irqchip":
        // extended destination IDs only matter for APIC IDs above 255, which need x2APIC.
        if (!explicitlyOn(spec, PvFeature.MSI_EXT_DEST_ID) && !(x2apic && host.x2apic())) {
            eax &= ~PvFeature.MSI_EXT_DEST_ID.mask();
        }

        List<String> missing = new ArrayList<>();
        if (x2apic && !host.x2apic()) {
            if (x2apicRequested) {
                missing.add("warning: host doesn't support requested feature: "
                        + "CPUID.01H:ECX.x2apic [bit 21]");
            }
            x2apic = false;
        }
        if (!kvm) {
            // kvm=off hides the leaves; QEMU then clears the whole KVM feature word silently.
            eax = 0;
            edx = 0;
        } else {
            missing.addAll(missingBits("EAX", PvFeature.Register.EAX, eax & ~host.eax()));
            missing.addAll(missingBits("EDX", PvFeature.Register.EDX, edx & ~host.edx()));
            eax &= host.eax();
            edx &= host.edx();
        }
        X86CpuDefinition def = spec.definition().orElse(null);
        boolean pmu = spec.flag("pmu", def == null);
        X86Features x86 = X86Features.resolve(hostSupported, def, ordered, x2apic, pmu, missing);
        warnings.addAll(missing);
        if (enforce && !missing.isEmpty()) {
            throw new CpuModelException("Host doesn't support requested features: "
                    + String.join(", ", stripPrefix(missing)), warnings);
        }
        CpuIdentity identity = identity(spec, def, x86, pmu, hostSupported, warnings);
        return new CpuModel(spec, mode, eax, edx, kvm, x2apic, x86, enforce, enforcePv, identity, warnings);
    }

    /**
     * QEMU's X86CPU properties for this string: the named model's values, then the user's. Vendor stays
     * the host's unless given (QEMU under KVM shows the host vendor so that SYSENTER/SYSCALL behave as
     * the host's CPU does). Without {@code level=}/{@code xlevel=} QEMU's automatic raise applies
     * (full-cpuid-auto-level): leaf 7 flags need level 7, XSAVE flags 0xD, 0x80000001 flags
     * 0x80000001, SVM 0x8000000A — counted before the host filter, as QEMU counts them.
     */
    private static CpuIdentity identity(CpuModelSpec spec, X86CpuDefinition def, X86Features x86, boolean pmu,
                                        List<CpuidEntry> host, List<String> warnings) {
        var p = spec.properties();
        String vendor = p.get(CpuProperty.VENDOR);
        Integer family = number(p, CpuProperty.FAMILY, def == null ? null : def.family());
        Integer model = number(p, CpuProperty.MODEL, def == null ? null : def.model());
        Integer stepping = number(p, CpuProperty.STEPPING, def == null ? null : def.stepping());
        String modelId = p.getOrDefault(CpuProperty.MODEL_ID, def == null ? null : def.modelId());
        if (def == null && (family != null || model != null || stepping != null)) {
            // -cpu host,family=…: QEMU starts from the host's signature and replaces the one field.
            int sig = hostEax(host, 1);
            int hf = (sig >> 8) & 0xf;
            if (hf == 0xf) hf += (sig >> 20) & 0xff;
            if (family == null) family = hf;
            if (model == null) model = ((sig >> 4) & 0xf) | ((sig >> 12) & 0xf0);
            if (stepping == null) stepping = sig & 0xf;
        }
        Integer level = number(p, CpuProperty.LEVEL, null);
        Integer xlevel = number(p, CpuProperty.XLEVEL, null);
        if (def != null) {
            if (level == null) level = autoLevel(def.level(), x86);
            if (xlevel == null) xlevel = autoXlevel(def.xlevel(), x86);
        }

        // phys-bits: host/max take the host's (QEMU turns host-phys-bits on for them), named models 40.
        int hostBits = hostEax(host, 0x80000008) & 0xff;
        boolean hostPhysBits = spec.flag("host-phys-bits", def == null);
        Integer physBits = number(p, CpuProperty.PHYS_BITS, null);
        if (physBits != null && physBits == 0) physBits = null;
        if (physBits != null && hostBits != 0 && physBits != hostBits) {
            warnings.add("warning: Host physical bits (" + hostBits + ") does not match phys-bits property ("
                    + physBits + ")");
        }
        if (hostPhysBits) {
            physBits = null;
            Integer limit = number(p, CpuProperty.HOST_PHYS_BITS_LIMIT, 0);
            if (limit != 0 && hostBits > limit) physBits = limit;
        } else if (physBits == null && def != null) {
            physBits = DEFAULT_PHYS_BITS;
        }
        return new CpuIdentity(vendor, family, model, stepping, level, xlevel, modelId, physBits, pmu);
    }

    static int autoLevel(int level, X86Features x86) {
        if ((x86.wanted(X86FeatureWord.CPUID_7_0_EBX) | x86.wanted(X86FeatureWord.CPUID_7_0_ECX)
                | x86.wanted(X86FeatureWord.CPUID_7_0_EDX)) != 0) {
            level = Math.max(level, 7);
        }
        if (x86.wanted(X86FeatureWord.CPUID_D_1_EAX) != 0) level = Math.max(level, 0xd);
        return level;
    }

    static int autoXlevel(int xlevel, X86Features x86) {
        int l = xlevel;
        if ((x86.wanted(X86FeatureWord.CPUID_80000001_EDX) | x86.wanted(X86FeatureWord.CPUID_80000001_ECX)) != 0) {
            l = maxUnsigned(l, 0x80000001);
        }
        X86Feature svm = X86Feature.byName("svm").orElseThrow();
        if ((x86.wanted(svm.word()) & svm.mask()) != 0) l = maxUnsigned(l, 0x8000000a);
        return l;
    }

    private static int maxUnsigned(int a, int b) {
        return Integer.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static Integer number(java.util.Map<CpuProperty, String> p, CpuProperty k, Integer dflt) {
        String v = p.get(k);
        return v == null ? dflt : Integer.valueOf((int) k.number(v));
    }

    private static int hostEax(List<CpuidEntry> host, int function) {
        for (CpuidEntry e : host) {
            if (e.function() == function) return e.eax();
        }
        return 0;
    }

    /** The feature's final state came from the user's own +feat / feat=on, not a default. */
    private static boolean explicitlyOn(CpuModelSpec spec, PvFeature f) {
        Boolean assigned = null;
        Boolean signed = null;
        for (CpuOption o : spec.options()) {
            if (!o.name().equals(f.qemuName())) continue;
            if (o.kind() == CpuOption.Kind.ASSIGN) {
                assigned = o.on();
            } else if (signed == null || !o.on()) {
                signed = o.on(); // -feat beats +feat, as in the apply order
            }
        }
        Boolean last = signed != null ? signed : assigned;
        return Boolean.TRUE.equals(last);
    }

    private static int applyOrder(CpuOption o) {
        switch (o.kind()) {
            case ASSIGN: return 0;
            case PLUS: return 1;
            default: return 2;
        }
    }

    /** One warning per bit, QEMU's words; kvmclock may produce two (bits 0 and 3). */
    private static List<String> missingBits(String regName, PvFeature.Register reg, int bits) {
        List<String> out = new ArrayList<>();
        for (int b = 0; b < 32; b++) {
            if ((bits & (1 << b)) == 0) continue;
            String name = PvFeature.byBit(reg, b).map(PvFeature::qemuName).orElse("bit" + b);
            out.add(String.format("warning: host doesn't support requested feature: "
                    + "CPUID.%08XH:%s.%s [bit %d]", PvFeature.KVM_CPUID_FEATURES, regName, name, b));
        }
        return out;
    }

    /** "warning: <reason>: CPUID.07H:EBX…" becomes "CPUID.07H:EBX…" for the enforce error. */
    private static List<String> stripPrefix(List<String> warnings) {
        List<String> out = new ArrayList<>();
        for (String w : warnings) {
            String reason = w.substring("warning: ".length());
            out.add(reason.substring(reason.indexOf(": ") + 2));
        }
        return out;
    }
}
