package dev.vmm.debug;

/**
 * Why the guest stopped for the debugger, as a gdb stop reply describes it.
 */
public sealed interface StopEvent {
    /** A breakpoint, watchpoint or completed single step on {@code vcpu}. */
    record Trapped(int vcpu, Cause cause, long watchAddress) implements StopEvent {
    }

    /** The debugger asked the guest to stop (Ctrl-C); {@code vcpu} is the one to show. */
    record Interrupted(int vcpu) implements StopEvent {
    }

    /** The guest ended: a power-off with its status, or a VM failure. */
    record Exited(int status, boolean poweredOff) implements StopEvent {
    }

    enum Cause { SOFTWARE_BREAKPOINT, HARDWARE_BREAKPOINT, WRITE_WATCH, ACCESS_WATCH, SINGLE_STEP, OTHER_TRAP }
}
