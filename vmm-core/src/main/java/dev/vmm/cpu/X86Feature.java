package dev.vmm.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ordinary x86 CPUID feature flag as QEMU's {@code -cpu} spells it.
 *
 * <p>Names, leaves and bits are QEMU's (target/i386/cpu.c feature_word_info) for the words in
 * {@link X86FeatureWord}. osxsave (1.ECX bit 27) and ospke (7.ECX bit 4) have no name there
 * either: the CPU reflects CR4 in them, and KVM does so for the guest.
 *
 * @param name QEMU property name
 * @param word the CPUID register holding it
 * @param bit  bit number in that register
 */
public record X86Feature(String name, X86FeatureWord word, int bit) {

    /** Every flag, in QEMU's word order, one line per flag. */
    public static final List<X86Feature> ALL = List.of(
            row("fpu", X86FeatureWord.CPUID_1_EDX, 0),
            row("vme", X86FeatureWord.CPUID_1_EDX, 1),
            row("de", X86FeatureWord.CPUID_1_EDX, 2),
            row("pse", X86FeatureWord.CPUID_1_EDX, 3),
            row("tsc", X86FeatureWord.CPUID_1_EDX, 4),
            row("msr", X86FeatureWord.CPUID_1_EDX, 5),
            row("pae", X86FeatureWord.CPUID_1_EDX, 6),
            row("mce", X86FeatureWord.CPUID_1_EDX, 7),
            row("cx8", X86FeatureWord.CPUID_1_EDX, 8),
            row("apic", X86FeatureWord.CPUID_1_EDX, 9),
            row("sep", X86FeatureWord.CPUID_1_EDX, 11),
            row("mtrr", X86FeatureWord.CPUID_1_EDX, 12),
            row("pge", X86FeatureWord.CPUID_1_EDX, 13),
            row("mca", X86FeatureWord.CPUID_1_EDX, 14),
            row("cmov", X86FeatureWord.CPUID_1_EDX, 15),
            row("pat", X86FeatureWord.CPUID_1_EDX, 16),
            row("pse36", X86FeatureWord.CPUID_1_EDX, 17),
            row("pn", X86FeatureWord.CPUID_1_EDX, 18),
            row("clflush", X86FeatureWord.CPUID_1_EDX, 19),
            row("ds", X86FeatureWord.CPUID_1_EDX, 21),
            row("acpi", X86FeatureWord.CPUID_1_EDX, 22),
            row("mmx", X86FeatureWord.CPUID_1_EDX, 23),
            row("fxsr", X86FeatureWord.CPUID_1_EDX, 24),
            row("sse", X86FeatureWord.CPUID_1_EDX, 25),
            row("sse2", X86FeatureWord.CPUID_1_EDX, 26),
            row("ss", X86FeatureWord.CPUID_1_EDX, 27),
            row("ht", X86FeatureWord.CPUID_1_EDX, 28),
            row("tm", X86FeatureWord.CPUID_1_EDX, 29),
            row("ia64", X86FeatureWord.CPUID_1_EDX, 30),
            row("pbe", X86FeatureWord.CPUID_1_EDX, 31),
            row("pni", X86FeatureWord.CPUID_1_ECX, 0),
            row("pclmulqdq", X86FeatureWord.CPUID_1_ECX, 1),
            row("dtes64", X86FeatureWord.CPUID_1_ECX, 2),
            row("monitor", X86FeatureWord.CPUID_1_ECX, 3),
            row("ds-cpl", X86FeatureWord.CPUID_1_ECX, 4),
            row("vmx", X86FeatureWord.CPUID_1_ECX, 5),
            row("smx", X86FeatureWord.CPUID_1_ECX, 6),
            row("est", X86FeatureWord.CPUID_1_ECX, 7),
            row("tm2", X86FeatureWord.CPUID_1_ECX, 8),
            row("ssse3", X86FeatureWord.CPUID_1_ECX, 9),
            row("cid", X86FeatureWord.CPUID_1_ECX, 10),
            row("fma", X86FeatureWord.CPUID_1_ECX, 12),
            row("cx16", X86FeatureWord.CPUID_1_ECX, 13),
            row("xtpr", X86FeatureWord.CPUID_1_ECX, 14),
            row("pdcm", X86FeatureWord.CPUID_1_ECX, 15),
            row("pcid", X86FeatureWord.CPUID_1_ECX, 17),
            row("dca", X86FeatureWord.CPUID_1_ECX, 18),
            row("sse4.1", X86FeatureWord.CPUID_1_ECX, 19),
            row("sse4.2", X86FeatureWord.CPUID_1_ECX, 20),
            row("x2apic", X86FeatureWord.CPUID_1_ECX, 21),
            row("movbe", X86FeatureWord.CPUID_1_ECX, 22),
            row("popcnt", X86FeatureWord.CPUID_1_ECX, 23),
            row("tsc-deadline", X86FeatureWord.CPUID_1_ECX, 24),
            row("aes", X86FeatureWord.CPUID_1_ECX, 25),
            row("xsave", X86FeatureWord.CPUID_1_ECX, 26),
            row("avx", X86FeatureWord.CPUID_1_ECX, 28),
            row("f16c", X86FeatureWord.CPUID_1_ECX, 29),
            row("rdrand", X86FeatureWord.CPUID_1_ECX, 30),
            row("hypervisor", X86FeatureWord.CPUID_1_ECX, 31),
            row("fsgsbase", X86FeatureWord.CPUID_7_0_EBX, 0),
            row("tsc-adjust", X86FeatureWord.CPUID_7_0_EBX, 1),
            row("sgx", X86FeatureWord.CPUID_7_0_EBX, 2),
            row("bmi1", X86FeatureWord.CPUID_7_0_EBX, 3),
            row("hle", X86FeatureWord.CPUID_7_0_EBX, 4),
            row("avx2", X86FeatureWord.CPUID_7_0_EBX, 5),
            row("fdp-excptn-only", X86FeatureWord.CPUID_7_0_EBX, 6),
            row("smep", X86FeatureWord.CPUID_7_0_EBX, 7),
            row("bmi2", X86FeatureWord.CPUID_7_0_EBX, 8),
            row("erms", X86FeatureWord.CPUID_7_0_EBX, 9),
            row("invpcid", X86FeatureWord.CPUID_7_0_EBX, 10),
            row("rtm", X86FeatureWord.CPUID_7_0_EBX, 11),
            row("zero-fcs-fds", X86FeatureWord.CPUID_7_0_EBX, 13),
            row("mpx", X86FeatureWord.CPUID_7_0_EBX, 14),
            row("avx512f", X86FeatureWord.CPUID_7_0_EBX, 16),
            row("avx512dq", X86FeatureWord.CPUID_7_0_EBX, 17),
            row("rdseed", X86FeatureWord.CPUID_7_0_EBX, 18),
            row("adx", X86FeatureWord.CPUID_7_0_EBX, 19),
            row("smap", X86FeatureWord.CPUID_7_0_EBX, 20),
            row("avx512ifma", X86FeatureWord.CPUID_7_0_EBX, 21),
            row("pcommit", X86FeatureWord.CPUID_7_0_EBX, 22),
            row("clflushopt", X86FeatureWord.CPUID_7_0_EBX, 23),
            row("clwb", X86FeatureWord.CPUID_7_0_EBX, 24),
            row("intel-pt", X86FeatureWord.CPUID_7_0_EBX, 25),
            row("avx512pf", X86FeatureWord.CPUID_7_0_EBX, 26),
            row("avx512er", X86FeatureWord.CPUID_7_0_EBX, 27),
            row("avx512cd", X86FeatureWord.CPUID_7_0_EBX, 28),
            row("sha-ni", X86FeatureWord.CPUID_7_0_EBX, 29),
            row("avx512bw", X86FeatureWord.CPUID_7_0_EBX, 30),
            row("avx512vl", X86FeatureWord.CPUID_7_0_EBX, 31),
            row("avx512vbmi", X86FeatureWord.CPUID_7_0_ECX, 1),
            row("umip", X86FeatureWord.CPUID_7_0_ECX, 2),
            row("pku", X86FeatureWord.CPUID_7_0_ECX, 3),
            row("waitpkg", X86FeatureWord.CPUID_7_0_ECX, 5),
            row("avx512vbmi2", X86FeatureWord.CPUID_7_0_ECX, 6),
            row("gfni", X86FeatureWord.CPUID_7_0_ECX, 8),
            row("vaes", X86FeatureWord.CPUID_7_0_ECX, 9),
            row("vpclmulqdq", X86FeatureWord.CPUID_7_0_ECX, 10),
            row("avx512vnni", X86FeatureWord.CPUID_7_0_ECX, 11),
            row("avx512bitalg", X86FeatureWord.CPUID_7_0_ECX, 12),
            row("avx512-vpopcntdq", X86FeatureWord.CPUID_7_0_ECX, 14),
            row("la57", X86FeatureWord.CPUID_7_0_ECX, 16),
            row("rdpid", X86FeatureWord.CPUID_7_0_ECX, 22),
            row("bus-lock-detect", X86FeatureWord.CPUID_7_0_ECX, 24),
            row("cldemote", X86FeatureWord.CPUID_7_0_ECX, 25),
            row("movdiri", X86FeatureWord.CPUID_7_0_ECX, 27),
            row("movdir64b", X86FeatureWord.CPUID_7_0_ECX, 28),
            row("sgxlc", X86FeatureWord.CPUID_7_0_ECX, 30),
            row("pks", X86FeatureWord.CPUID_7_0_ECX, 31),
            row("avx512-4vnniw", X86FeatureWord.CPUID_7_0_EDX, 2),
            row("avx512-4fmaps", X86FeatureWord.CPUID_7_0_EDX, 3),
            row("fsrm", X86FeatureWord.CPUID_7_0_EDX, 4),
            row("avx512-vp2intersect", X86FeatureWord.CPUID_7_0_EDX, 8),
            row("md-clear", X86FeatureWord.CPUID_7_0_EDX, 10),
            row("serialize", X86FeatureWord.CPUID_7_0_EDX, 14),
            row("tsx-ldtrk", X86FeatureWord.CPUID_7_0_EDX, 16),
            row("arch-lbr", X86FeatureWord.CPUID_7_0_EDX, 19),
            row("amx-bf16", X86FeatureWord.CPUID_7_0_EDX, 22),
            row("avx512-fp16", X86FeatureWord.CPUID_7_0_EDX, 23),
            row("amx-tile", X86FeatureWord.CPUID_7_0_EDX, 24),
            row("amx-int8", X86FeatureWord.CPUID_7_0_EDX, 25),
            row("spec-ctrl", X86FeatureWord.CPUID_7_0_EDX, 26),
            row("stibp", X86FeatureWord.CPUID_7_0_EDX, 27),
            row("flush-l1d", X86FeatureWord.CPUID_7_0_EDX, 28),
            row("arch-capabilities", X86FeatureWord.CPUID_7_0_EDX, 29),
            row("core-capability", X86FeatureWord.CPUID_7_0_EDX, 30),
            row("ssbd", X86FeatureWord.CPUID_7_0_EDX, 31),
            row("syscall", X86FeatureWord.CPUID_80000001_EDX, 11),
            row("nx", X86FeatureWord.CPUID_80000001_EDX, 20),
            row("mmxext", X86FeatureWord.CPUID_80000001_EDX, 22),
            row("fxsr-opt", X86FeatureWord.CPUID_80000001_EDX, 25),
            row("pdpe1gb", X86FeatureWord.CPUID_80000001_EDX, 26),
            row("rdtscp", X86FeatureWord.CPUID_80000001_EDX, 27),
            row("lm", X86FeatureWord.CPUID_80000001_EDX, 29),
            row("3dnowext", X86FeatureWord.CPUID_80000001_EDX, 30),
            row("3dnow", X86FeatureWord.CPUID_80000001_EDX, 31),
            row("lahf-lm", X86FeatureWord.CPUID_80000001_ECX, 0),
            row("cmp-legacy", X86FeatureWord.CPUID_80000001_ECX, 1),
            row("svm", X86FeatureWord.CPUID_80000001_ECX, 2),
            row("extapic", X86FeatureWord.CPUID_80000001_ECX, 3),
            row("cr8legacy", X86FeatureWord.CPUID_80000001_ECX, 4),
            row("abm", X86FeatureWord.CPUID_80000001_ECX, 5),
            row("sse4a", X86FeatureWord.CPUID_80000001_ECX, 6),
            row("misalignsse", X86FeatureWord.CPUID_80000001_ECX, 7),
            row("3dnowprefetch", X86FeatureWord.CPUID_80000001_ECX, 8),
            row("osvw", X86FeatureWord.CPUID_80000001_ECX, 9),
            row("ibs", X86FeatureWord.CPUID_80000001_ECX, 10),
            row("xop", X86FeatureWord.CPUID_80000001_ECX, 11),
            row("skinit", X86FeatureWord.CPUID_80000001_ECX, 12),
            row("wdt", X86FeatureWord.CPUID_80000001_ECX, 13),
            row("lwp", X86FeatureWord.CPUID_80000001_ECX, 15),
            row("fma4", X86FeatureWord.CPUID_80000001_ECX, 16),
            row("tce", X86FeatureWord.CPUID_80000001_ECX, 17),
            row("nodeid-msr", X86FeatureWord.CPUID_80000001_ECX, 19),
            row("tbm", X86FeatureWord.CPUID_80000001_ECX, 21),
            row("topoext", X86FeatureWord.CPUID_80000001_ECX, 22),
            row("perfctr-core", X86FeatureWord.CPUID_80000001_ECX, 23),
            row("perfctr-nb", X86FeatureWord.CPUID_80000001_ECX, 24),
            row("xsaveopt", X86FeatureWord.CPUID_D_1_EAX, 0),
            row("xsavec", X86FeatureWord.CPUID_D_1_EAX, 1),
            row("xgetbv1", X86FeatureWord.CPUID_D_1_EAX, 2),
            row("xsaves", X86FeatureWord.CPUID_D_1_EAX, 3),
            row("xfd", X86FeatureWord.CPUID_D_1_EAX, 4)
    );

    /**
     * QEMU's extra names (x86_cpu_initfn object_property_add_alias). The '_' spellings it also
     * registers there ("lahf_lm", "ds_cpl", ...) need no entry: every '_' is read as '-' first.
     */
    public static final Map<String, String> ALIASES = Map.of(
            "sse3", "pni",
            "pclmuldq", "pclmulqdq",
            "sse4-1", "sse4.1",
            "sse4-2", "sse4.2",
            "xd", "nx",
            "ffxsr", "fxsr-opt",
            "i64", "lm");

    public int mask() {
        return 1 << bit;
    }

    /** "CPUID.01H:ECX.cx16 [bit 13]": how QEMU names the bit in warnings. */
    public String qemuDescription() {
        return word.qemuDescription() + "." + name + " [bit " + bit + "]";
    }

    private static X86Feature row(String name, X86FeatureWord word, int bit) {
        return new X86Feature(name, word, bit);
    }

    /** Finds a flag by QEMU name or alias, '_' read as '-'. */
    public static Optional<X86Feature> byName(String raw) {
        String n = PvFeature.normalize(raw);
        String canonical = ALIASES.getOrDefault(n, n);
        for (X86Feature f : ALL) {
            if (f.name.equals(canonical)) return Optional.of(f);
        }
        return Optional.empty();
    }

    public static Optional<X86Feature> byBit(X86FeatureWord word, int bit) {
        for (X86Feature f : ALL) {
            if (f.word == word && f.bit == bit) return Optional.of(f);
        }
        return Optional.empty();
    }

    public static List<X86Feature> inWord(X86FeatureWord word) {
        List<X86Feature> out = new ArrayList<>();
        for (X86Feature f : ALL) {
            if (f.word == word) out.add(f);
        }
        return out;
    }
}
