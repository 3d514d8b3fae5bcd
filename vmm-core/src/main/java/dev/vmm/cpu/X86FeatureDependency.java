package dev.vmm.cpu;

import java.util.List;

/**
 * "{@code to} makes no sense without {@code from}": with {@code from} off, {@code to} is cleared too.
 *
 * <p>QEMU's feature_dependencies table, restricted to the flags {@link X86Feature} names: of its
 * entries only sgx → sgxlc joins two of them (the others lead to MSR or VMX words vmm does not model).
 * Linux's own pairs (arch/x86/kernel/cpu/cpuid-deps.c: xsave → avx, fxsr → sse, …) are deliberately
 * not applied: QEMU leaves those bits as they are (`-cpu host,-xsave` keeps avx in CPUID.1:ECX), the
 * guest kernel clears them itself, and the rule of this project is that the same guest with the same
 * {@code -cpu} string sees the same CPUID under QEMU and vmm (X86FlagsQemuComparisonTest). What QEMU
 * does do without xsave is to empty leaf 0xD (x86_cpu_enable_xsave_components), and so does
 * {@link CpuidComposer}.
 *
 * @param from the feature that must be on
 * @param to   the feature that goes with it
 */
public record X86FeatureDependency(X86Feature from, X86Feature to) {

    /** Parents before children, so one pass in order reaches the same result as a fixed point. */
    public static final List<X86FeatureDependency> ALL = List.of(
            dep("sgx", "sgxlc"));

    private static X86FeatureDependency dep(String from, String to) {
        return new X86FeatureDependency(X86Feature.byName(from).orElseThrow(),
                X86Feature.byName(to).orElseThrow());
    }
}
