package dev.vmm.cpu;

import java.util.List;

/**
 * "{@code to} makes no sense without {@code from}": with {@code from} off, {@code to} is cleared too.
 *
 * <p>From QEMU's feature_dependencies table only sgx → sgxlc joins two of these flags (its other
 * entries lead to MSR or VMX words vmm does not model; a 2024 patch proposing xsave → leaf 0xD.1 was
 * posted but is not in the QEMU source we checked). What QEMU does without xsave is to empty leaf
 * 0xD (x86_cpu_enable_xsave_components), which {@link CpuidComposer} does as well. The other pairs are
 * Linux's (arch/x86/kernel/cpu/cpuid-deps.c), restricted to flags {@link X86Feature} names: the guest
 * kernel would clear these bits itself, and a VMM that offers AVX without XSAVE offers state the guest
 * cannot enable. One line per pair.
 *
 * @param from the feature that must be on
 * @param to   the feature that goes with it
 */
public record X86FeatureDependency(X86Feature from, X86Feature to) {

    /** Parents before children, so one pass in order reaches the same result as a fixed point. */
    public static final List<X86FeatureDependency> ALL = List.of(
            dep("fpu", "fxsr"),
            dep("fxsr", "cmov"),
            dep("fxsr", "mmx"),
            dep("fxsr", "fxsr-opt"),
            dep("fxsr", "xsave"),
            dep("fxsr", "sse"),
            dep("mmx", "mmxext"),
            dep("sse", "sse2"),
            dep("sse2", "pni"),
            dep("sse2", "sse4.1"),
            dep("sse2", "sse4.2"),
            dep("sse2", "pclmulqdq"),
            dep("sse2", "ssse3"),
            dep("sse2", "f16c"),
            dep("sse2", "aes"),
            dep("sse2", "sha-ni"),
            dep("sse2", "gfni"),
            dep("xsave", "xsaveopt"),
            dep("xsave", "xsavec"),
            dep("xsave", "xsaves"),
            dep("xsave", "xgetbv1"),
            dep("xsave", "avx"),
            dep("xsave", "pku"),
            dep("xsave", "mpx"),
            dep("xsaves", "xfd"),
            dep("xgetbv1", "xfd"),
            dep("xfd", "amx-tile"),
            dep("avx", "fma"),
            dep("avx", "vaes"),
            dep("avx", "vpclmulqdq"),
            dep("avx", "avx2"),
            dep("avx", "avx512f"),
            dep("avx512f", "avx512ifma"),
            dep("avx512f", "avx512pf"),
            dep("avx512f", "avx512er"),
            dep("avx512f", "avx512cd"),
            dep("avx512f", "avx512dq"),
            dep("avx512f", "avx512bw"),
            dep("avx512f", "avx512vl"),
            dep("avx512f", "avx512vbmi"),
            dep("avx512f", "avx512-4vnniw"),
            dep("avx512f", "avx512-4fmaps"),
            dep("avx512f", "avx512-vpopcntdq"),
            dep("avx512vl", "avx512vbmi2"),
            dep("avx512vl", "avx512vnni"),
            dep("avx512vl", "avx512bitalg"),
            dep("avx512vl", "avx512-vp2intersect"),
            dep("avx512bw", "avx512-fp16"),
            dep("sgx", "sgxlc"));

    private static X86FeatureDependency dep(String from, String to) {
        return new X86FeatureDependency(X86Feature.byName(from).orElseThrow(),
                X86Feature.byName(to).orElseThrow());
    }
}
