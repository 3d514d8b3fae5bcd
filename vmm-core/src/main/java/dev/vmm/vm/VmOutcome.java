package dev.vmm.vm;

/**
 * How a guest run ended. {@code exitStatus} is what the {@code vmm} process exits with:
 * the guest's own value for a power-off, non-zero for every failure.
 *
 * @param report a human-readable account for failures (register dump etc.), empty for a clean power-off
 */
public record VmOutcome(Kind kind, int exitStatus, String report) {
    public enum Kind {
        /** The guest wrote to isa-debug-exit or powered off through ACPI/i8042. */
        POWER_OFF,
        /** Triple fault: KVM_EXIT_SHUTDOWN. */
        TRIPLE_FAULT,
        /** KVM_EXIT_INTERNAL_ERROR, e.g. an instruction KVM cannot emulate. */
        INTERNAL_ERROR,
        /** KVM_EXIT_FAIL_ENTRY: the hardware refused to enter the guest. */
        FAIL_ENTRY,
        /** KVM_EXIT_SYSTEM_EVENT of a kind that ends the VM (shutdown, reset without reboot, crash). */
        SYSTEM_EVENT,
        /** The VMM stopped the guest (close, timeout, signal). */
        STOPPED,
        /** The VMM itself failed while running the guest. */
        VMM_ERROR
    }

    /** Exit status used for every failure of the VM itself, distinct from typical guest values. */
    public static final int FAILURE_STATUS = 125;

    public static VmOutcome powerOff(int status) {
        return new VmOutcome(Kind.POWER_OFF, status, "");
    }

    public static VmOutcome failure(Kind kind, String report) {
        return new VmOutcome(kind, FAILURE_STATUS, report);
    }

    public boolean isPowerOff() {
        return kind == Kind.POWER_OFF;
    }
}
