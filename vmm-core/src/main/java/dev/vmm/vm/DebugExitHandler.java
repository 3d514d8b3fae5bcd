package dev.vmm.vm;

import dev.vmm.kvm.VcpuExit;

/**
 * Receives KVM_EXIT_DEBUG on the vCPU's thread (a debugger is attached). The handler normally
 * calls {@link Vm#holdForDebugger()} so that this vCPU parks before it enters the guest again.
 */
@FunctionalInterface
public interface DebugExitHandler {
    void onDebugExit(int vcpu, VcpuExit.Debug exit);
}
