package dev.vmm.cpu;

/**
 * One CPUID leaf as KVM exchanges it ({@code struct kvm_cpuid_entry2} without padding).
 * Pure value: the KVM binding converts to and from the native struct.
 *
 * @param function EAX input (the leaf)
 * @param index    ECX input (the sub-leaf), meaningful when {@link #FLAG_SIGNIFICANT_INDEX} is set
 * @param flags    KVM_CPUID_FLAG_* bits
 */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    /** KVM_CPUID_FLAG_SIGNIFCANT_INDEX (sic, the kernel header's spelling). */
    public static final int FLAG_SIGNIFICANT_INDEX = 1;

    public CpuidEntry withRegisters(int eax, int ebx, int ecx, int edx) {
        return new CpuidEntry(function, index, flags, eax, ebx, ecx, edx);
    }
}
