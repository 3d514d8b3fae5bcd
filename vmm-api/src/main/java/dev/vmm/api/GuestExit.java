package dev.vmm.api;

/**
 * How a guest's run ended: it powered off with a value, the VM failed, or the host stopped it.
 * Switch on it with a pattern, or use {@link #status()} for a process-style exit status.
 */
public sealed interface GuestExit {
    /** The exit status the {@code vmm} command would end with for this outcome. */
    int status();

    /** True when the guest powered off with value 0 (the test kernel's "every test passed"). */
    default boolean succeeded() {
        return this instanceof PowerOff p && p.value() == 0;
    }

    /**
     * The guest ended the VM itself: a value written to the isa-debug-exit port (0xf4), or 0 for
     * an ACPI power-off or an i8042 reset with reboots turned off.
     *
     * @param value the guest's value, which is also the {@link #status()}
     */
    record PowerOff(int value) implements GuestExit {
        @Override
        public int status() {
            return value;
        }
    }

    /**
     * The VM itself failed (triple fault, KVM internal error, entry failure, a fatal system event,
     * an error in the VMM).
     *
     * @param kind   what failed
     * @param report a QEMU-style account (registers, segments, code bytes around RIP)
     */
    record Failure(FailureKind kind, String report) implements GuestExit {
        /** The status the {@code vmm} command uses for every failure of the VM. */
        public static final int STATUS = 125;

        @Override
        public int status() {
            return STATUS;
        }
    }

    /** The host stopped the guest ({@link Guest#close()}) before it ended by itself. */
    record Stopped() implements GuestExit {
        @Override
        public int status() {
            return Failure.STATUS;
        }
    }

    /** What kind of failure ended the VM. */
    enum FailureKind {
        /** A triple fault (KVM_EXIT_SHUTDOWN). */
        TRIPLE_FAULT,
        /** KVM_EXIT_INTERNAL_ERROR, e.g. an instruction KVM cannot emulate. */
        INTERNAL_ERROR,
        /** KVM_EXIT_FAIL_ENTRY: the hardware refused to enter the guest. */
        ENTRY_FAILURE,
        /** A KVM system event that ends the VM (shutdown, crash, a reset when resets end the run). */
        SYSTEM_EVENT,
        /** The VMM itself failed while running the guest. */
        VMM_ERROR
    }
}
