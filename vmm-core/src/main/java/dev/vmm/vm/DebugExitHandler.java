package dev.vmm.vm;

/**
 * Receives KVM_EXIT_DEBUG on the vCPU's thread (a debugger is attached). The handler normally
 * calls {@link Vm#requestPause()} so that this vCPU parks before it enters the guest again.
 */
@FunctionalInterface
public interface DebugExitHandler {
    void onDebugExit(int vcpu, DebugExit exit);
}
