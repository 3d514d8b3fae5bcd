package dev.vmm.cpu;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The x86 feature words a guest will see, and what the host could have offered in each.
 *
 * <p>{@code host} and {@code max} start from the host's bits, QEMU's table models from their
 * definition (minus QEMU's KVM defaults acpi/monitor/svm, plus hypervisor); then, as in QEMU, {@code feat=on|off} in command-line order, every {@code +feat}, every
 * {@code -feat}; then bits the host lacks are dropped with QEMU's warning; then
 * {@link X86FeatureDependency} clears features whose parent is off. The host filter comes before the
 * dependencies here so that {@code +avx2} on a host without AVX2 says "host doesn't support" rather
 * than blaming a missing parent.
 */
public final class X86Features {
    /** CPUID.1:ECX bit 27 and CPUID.7.0:ECX bit 4 mirror CR4.OSXSAVE/PKE: KVM sets them at run time. */
    public static final int OSXSAVE_BIT = 1 << 27;
    public static final int OSPKE_BIT = 1 << 4;

    /**
     * QEMU's {@code no_autoenable_flags}: the host may offer these, but a model does not start with
     * them; only {@code +feat} turns them on. TOPOEXT needs cache-topology leaves consistent with
     * {@code -smp} so as not to confuse guests, so QEMU's {@code -cpu host} leaves it off.
     */
    static final List<X86Feature> NO_AUTOENABLE = List.of(X86Feature.byName("topoext").orElseThrow());

    /** QEMU's kvm_default_props that turn flags off: no ACPI thermal MSRs, no MONITOR/MWAIT, no nested SVM. */
    static final List<String> KVM_DEFAULT_OFF = List.of("acpi", "monitor", "svm");
    /** CPUID.1:ECX bit 15, PDCM (IA32_PERF_CAPABILITIES). */
    static final int PDCM_BIT = 1 << 15;

    private final Map<X86FeatureWord, Integer> words;
    private final Map<X86FeatureWord, Integer> host;
    private final Map<X86FeatureWord, Integer> wanted;

    private X86Features(Map<X86FeatureWord, Integer> words, Map<X86FeatureWord, Integer> host,
                        Map<X86FeatureWord, Integer> wanted) {
        this.words = new EnumMap<>(words);
        this.host = new EnumMap<>(host);
        this.wanted = new EnumMap<>(wanted);
    }

    /**
     * {@code w} as the model and the options asked for it, before the host filter: QEMU raises the
     * automatic level from these (x86_cpu_expand_features runs before x86_cpu_filter_features).
     */
    public int wanted(X86FeatureWord w) {
        return wanted.get(w);
    }

    /** The guest's value of {@code w}. */
    public int word(X86FeatureWord w) {
        return words.get(w);
    }

    /** What the VMM can offer in {@code w}. */
    public int host(X86FeatureWord w) {
        return host.get(w);
    }

    public boolean isOn(X86Feature f) {
        return (word(f.word()) & f.mask()) != 0;
    }

    public boolean hostHas(X86Feature f) {
        return (host(f.word()) & f.mask()) != 0;
    }

    /**
     * KVM_GET_SUPPORTED_CPUID per word, plus the hypervisor bit (the VMM provides it, as QEMU's
     * kvm_arch_get_supported_cpuid adds it) and minus the CR4 mirrors, which the VMM never sets.
     */
    static Map<X86FeatureWord, Integer> hostWords(List<CpuidEntry> hostSupported) {
        Map<X86FeatureWord, Integer> out = new EnumMap<>(X86FeatureWord.class);
        for (X86FeatureWord w : X86FeatureWord.values()) {
            int v = 0;
            for (CpuidEntry e : hostSupported) {
                if (w.matches(e)) v = w.read(e);
            }
            out.put(w, v);
        }
        out.merge(X86FeatureWord.CPUID_1_ECX, HostPvSupport.HYPERVISOR_BIT, (a, b) -> (a | b) & ~OSXSAVE_BIT);
        out.merge(X86FeatureWord.CPUID_7_0_ECX, OSPKE_BIT, (a, b) -> a & ~b);
        return out;
    }

    /**
     * @param hostSupported KVM_GET_SUPPORTED_CPUID
     * @param ordered       the -cpu options in QEMU's apply order; names that are not x86 flags and
     *                      x2apic (decided by {@link CpuModel} with the irqchip) are skipped
     * @param x2apic        the final CPUID.1:ECX bit 21
     * @param warnings      receives one QEMU warning per dropped requested bit
     */
    static X86Features resolve(List<CpuidEntry> hostSupported, X86CpuDefinition def, List<CpuOption> ordered,
                               boolean x2apic, boolean pmu, List<String> warnings) {
        Map<X86FeatureWord, Integer> host = hostWords(hostSupported);
        Map<X86FeatureWord, Integer> words;
        if (def == null) {
            words = new EnumMap<>(host);
            for (X86Feature f : NO_AUTOENABLE) words.compute(f.word(), (w, v) -> v & ~f.mask());
        } else {
            words = new EnumMap<>(def.words());
            // QEMU's kvm_default_props: acpi, monitor and svm off on every table model under KVM.
            for (String off : KVM_DEFAULT_OFF) {
                X86Feature f = X86Feature.byName(off).orElseThrow();
                words.compute(f.word(), (w, v) -> v & ~f.mask());
            }
            words.merge(X86FeatureWord.CPUID_1_ECX, HostPvSupport.HYPERVISOR_BIT, (a, b) -> a | b);
        }
        Map<X86FeatureWord, Integer> requested = new EnumMap<>(X86FeatureWord.class);
        for (X86FeatureWord w : X86FeatureWord.values()) requested.put(w, 0);

        for (CpuOption o : ordered) {
            if (o.name().equals("x2apic")) continue;
            X86Feature f = X86Feature.byName(o.name()).orElse(null);
            if (f == null) continue;
            int m = f.mask();
            words.compute(f.word(), (w, v) -> o.on() ? v | m : v & ~m);
            requested.compute(f.word(), (w, v) -> o.on() ? v | m : v & ~m);
        }

        Map<X86FeatureWord, Integer> wanted = new EnumMap<>(words);
        for (X86FeatureWord w : X86FeatureWord.values()) {
            int missing = words.get(w) & ~host.get(w);
            if (w == X86FeatureWord.CPUID_1_ECX) missing &= ~HostPvSupport.X2APIC_BIT;
            for (X86Feature f : X86Feature.inWord(w)) {
                if ((missing & f.mask()) != 0) {
                    warnings.add("warning: host doesn't support requested feature: " + f.qemuDescription());
                }
            }
            words.put(w, words.get(w) & ~missing);
        }

        for (X86FeatureDependency d : X86FeatureDependency.ALL) {
            X86Feature to = d.to();
            if ((words.get(d.from().word()) & d.from().mask()) != 0
                    || (words.get(to.word()) & to.mask()) == 0) {
                continue;
            }
            // Not an error unless the dependent feature was asked for, as QEMU says.
            if ((requested.get(to.word()) & to.mask()) != 0) {
                warnings.add("warning: This feature depends on other features that were not requested: "
                        + to.qemuDescription());
            }
            words.compute(to.word(), (w, v) -> v & ~to.mask());
        }

        words.compute(X86FeatureWord.CPUID_1_ECX, (w, v) ->
                x2apic ? v | HostPvSupport.X2APIC_BIT : v & ~HostPvSupport.X2APIC_BIT);
        if (!pmu) {
            // QEMU's cpu_x86_cpuid: no PMU, no perfmon/debug capability MSR to advertise.
            words.compute(X86FeatureWord.CPUID_1_ECX, (w, v) -> v & ~PDCM_BIT);
        }
        return new X86Features(words, host, wanted);
    }
}
