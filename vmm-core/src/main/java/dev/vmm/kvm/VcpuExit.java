package dev.vmm.kvm;

import java.util.List;

/**
 * Why {@code KVM_RUN} returned, as a type: one kind per exit the VMM handles, as rust-vmm's
 * kvm-ioctls returns its {@code VcpuExit} enum. A run loop tests the kind with {@code instanceof}
 * patterns, the frequent ones first.
 *
 * <p>The two exits on the hot path, {@link IoExit} and {@link MmioExit}, are views over the
 * vCPU's mapped {@code kvm_run}, one of each per vCPU, reused on every exit so that a port or MMIO
 * exit allocates nothing; they are valid until the next {@link VcpuFd#run()} on that vCPU. Every
 * other exit is rare (it ends the VM, or is a kick) and is a record holding its data by value.
 */
public sealed interface VcpuExit permits IoExit, MmioExit, VcpuExit.Interrupted, VcpuExit.Hlt,
        VcpuExit.IrqWindowOpen, VcpuExit.Shutdown, VcpuExit.SystemEvent, VcpuExit.InternalError,
        VcpuExit.FailEntry, VcpuExit.Debug, VcpuExit.Unknown {

    /**
     * The {@code KVM_EXIT_*} number this exit was decoded from ({@link KvmRun#EXIT_INTR} for a
     * kick), for reports that count or name exits by reason ({@link KvmRun#exitReasonName}).
     */
    default int reason() {
        if (this instanceof IoExit) return KvmRun.EXIT_IO;
        if (this instanceof MmioExit) return KvmRun.EXIT_MMIO;
        if (this instanceof Interrupted) return KvmRun.EXIT_INTR;
        if (this instanceof Hlt) return KvmRun.EXIT_HLT;
        if (this instanceof IrqWindowOpen) return KvmRun.EXIT_IRQ_WINDOW_OPEN;
        if (this instanceof Shutdown) return KvmRun.EXIT_SHUTDOWN;
        if (this instanceof SystemEvent) return KvmRun.EXIT_SYSTEM_EVENT;
        if (this instanceof InternalError) return KvmRun.EXIT_INTERNAL_ERROR;
        if (this instanceof FailEntry) return KvmRun.EXIT_FAIL_ENTRY;
        if (this instanceof Debug) return KvmRun.EXIT_DEBUG;
        throw new AssertionError(this); // Unknown has reason() as its component
    }

    /**
     * {@code KVM_RUN} came back without running the guest to an exit: the thread was kicked
     * (EINTR from a signal or {@code immediate_exit}, or EAGAIN; {@code KVM_EXIT_INTR}).
     */
    record Interrupted() implements VcpuExit {
        public static final Interrupted INSTANCE = new Interrupted();
    }

    /** {@code KVM_EXIT_HLT}: the guest halted and no in-kernel LAPIC waits for its wake-up. */
    record Hlt() implements VcpuExit {
        public static final Hlt INSTANCE = new Hlt();
    }

    /** {@code KVM_EXIT_IRQ_WINDOW_OPEN}: the guest can take an interrupt now (asked for with request_interrupt_window). */
    record IrqWindowOpen() implements VcpuExit {
        public static final IrqWindowOpen INSTANCE = new IrqWindowOpen();
    }

    /** {@code KVM_EXIT_SHUTDOWN}: a triple fault; the vCPU cannot go on. */
    record Shutdown() implements VcpuExit {
        public static final Shutdown INSTANCE = new Shutdown();
    }

    /**
     * {@code KVM_EXIT_SYSTEM_EVENT}: the guest asked for a power-off, reset or crash
     * ({@link KvmRun#SYSTEM_EVENT_SHUTDOWN} …) through a path KVM handles itself (e.g. PSCI, Hyper-V).
     */
    record SystemEvent(int type, List<Long> data) implements VcpuExit {
        public SystemEvent {
            data = List.copyOf(data);
        }

        public boolean isReset() {
            return type == KvmRun.SYSTEM_EVENT_RESET;
        }

        public boolean isShutdown() {
            return type == KvmRun.SYSTEM_EVENT_SHUTDOWN;
        }

        /** "shutdown", "reset", "crash" or "type N". */
        public String typeName() {
            return KvmRun.systemEventName(type);
        }
    }

    /**
     * {@code KVM_EXIT_INTERNAL_ERROR}: KVM could not go on with the guest (an instruction it
     * cannot emulate, an exception while delivering one, …); {@code data} is KVM's extra data.
     */
    record InternalError(int suberror, List<Long> data) implements VcpuExit {
        public InternalError {
            data = List.copyOf(data);
        }
    }

    /** {@code KVM_EXIT_FAIL_ENTRY}: the hardware refused to enter the guest (invalid guest state). */
    record FailEntry(long hardwareReason, int cpu) implements VcpuExit {
    }

    /**
     * {@code KVM_EXIT_DEBUG} (x86 {@code kvm_debug_exit_arch}): a breakpoint, single step or
     * watchpoint set with {@code KVM_SET_GUEST_DEBUG} was hit.
     *
     * @param exception {@link #DB_VECTOR} (single step or a hardware breakpoint/watchpoint) or
     *                  {@link #BP_VECTOR} (an int3)
     * @param pc        linear address of the instruction (RIP plus CS base)
     * @param dr6       DR6: bits 0-3 = which of DR0-DR3 matched, bit 14 (BS) = single step
     */
    record Debug(int exception, long pc, long dr6, long dr7) implements VcpuExit {
        public static final int DB_VECTOR = 1;
        public static final int BP_VECTOR = 3;
        public static final long DR6_SINGLE_STEP = 1L << 14;

        /** Index 0-3 of the debug register whose breakpoint matched, or -1. */
        public int hardwareSlot() {
            if (exception != DB_VECTOR) {
                return -1;
            }
            for (int i = 0; i < 4; i++) {
                if ((dr6 & (1L << i)) != 0) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Any exit reason this binding does not decode (KVM_EXIT_UNKNOWN included), by number. */
    record Unknown(int reason) implements VcpuExit {
        /** e.g. "KVM_EXIT_NMI". */
        public String name() {
            return KvmRun.exitReasonName(reason);
        }
    }
}
