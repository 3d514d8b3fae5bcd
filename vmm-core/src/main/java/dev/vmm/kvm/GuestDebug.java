package dev.vmm.kvm;

import com.sun.jna.Memory;

/**
 * {@code struct kvm_guest_debug} for KVM_SET_GUEST_DEBUG: what makes a vCPU stop with
 * KVM_EXIT_DEBUG. {@code control} holds the KVM_GUESTDBG_* flags; {@code debugreg} DR0-DR3 (the
 * breakpoint addresses) and DR7 (index 7: which of them are on, for execution, write or access,
 * and their length). Layout (checked by StructLayoutTest): control u32@0, pad u32@4, debugreg[8] u64@8.
 *
 * @param control   KVM_GUESTDBG_* flags; 0 turns guest debugging off
 * @param debugregs DR0..DR7 (index 4 and 5 unused); only read with {@link #USE_HW_BP}
 */
public record GuestDebug(int control, long[] debugregs) {
    public static final int SIZE = 72;
    public static final int OFF_CONTROL = 0;
    public static final int OFF_DEBUGREG = 8;

    /** Guest debugging on (without it the other flags are ignored). */
    public static final int ENABLE = 0x1;
    /** Stop after every instruction (KVM sets TF and intercepts the #DB). */
    public static final int SINGLESTEP = 0x2;
    /** Intercept #BP: an int3 the debugger wrote into guest memory stops the vCPU instead of reaching the guest. */
    public static final int USE_SW_BP = 0x10000;
    /** Load {@link #debugregs} into the real debug registers while the guest runs. */
    public static final int USE_HW_BP = 0x20000;
    /** Keep interrupts out while single-stepping (Linux 5.16+, reported by KVM_CAP_SET_GUEST_DEBUG2). */
    public static final int BLOCKIRQ = 0x100000;

    public static final GuestDebug OFF = new GuestDebug(0, new long[8]);

    public GuestDebug {
        if (debugregs.length != 8) {
            throw new IllegalArgumentException("kvm_guest_debug has 8 debug registers, got " + debugregs.length);
        }
        debugregs = debugregs.clone();
    }

    @Override
    public long[] debugregs() {
        return debugregs.clone();
    }

    Memory toMemory() {
        Memory m = new Memory(SIZE);
        m.clear();
        m.setInt(OFF_CONTROL, control);
        for (int i = 0; i < 8; i++) {
            m.setLong(OFF_DEBUGREG + 8L * i, debugregs[i]);
        }
        return m;
    }
}
