package dev.vmm.kvm;

/** {@code struct kvm_mp_state}: one u32. */
public record MpState(int state) {
    public static final int RUNNABLE = 0;
    public static final int UNINITIALIZED = 1;
    public static final int INIT_RECEIVED = 2;
    public static final int HALTED = 3;
    public static final int SIPI_RECEIVED = 4;
}
