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
 * @param warnings        lines for stderr, each starting with "warning: "
 */
public record CpuModel(CpuModelSpec spec, IrqchipMode irqchip, int eax, int edx, boolean kvmLeaves,
                       boolean x2apic, X86Features x86, boolean enforce, boolean enforcePvCpuid,
                       List<String> warnings) {

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
                        + "CPUID[eax=01h].ECX.x2apic [bit 21]");
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
        X86Features x86 = X86Features.resolve(hostSupported, ordered, x2apic, missing);
        warnings.addAll(missing);
        if (enforce && !missing.isEmpty()) {
            throw new CpuModelException("Host doesn't support requested features: "
                    + String.join(", ", stripPrefix(missing)), warnings);
        }
        return new CpuModel(spec, mode, eax, edx, kvm, x2apic, x86, enforce, enforcePv, warnings);
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
                    + "CPUID[eax=%08Xh].%s.%s [bit %d]", PvFeature.KVM_CPUID_FEATURES, regName, name, b));
        }
        return out;
    }

    /** "warning: <reason>: CPUID[...]" becomes "CPUID[...]" for the enforce error. */
    private static List<String> stripPrefix(List<String> warnings) {
        List<String> out = new ArrayList<>();
        for (String w : warnings) {
            String reason = w.substring("warning: ".length());
            out.add(reason.substring(reason.indexOf(": ") + 2));
        }
        return out;
    }
}
