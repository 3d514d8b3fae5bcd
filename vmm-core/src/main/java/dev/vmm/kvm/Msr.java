package dev.vmm.kvm;

/** One {@code struct kvm_msr_entry} (index u32@0, reserved u32@4, data u64@8). */
public record Msr(int index, long value) {
    public static final int SIZE = 16;
}
