package dev.vmm.vm;

import dev.vmm.kvm.VcpuExit;
import dev.vmm.kvm.VcpuFd;

/**
 * Sees every KVM_RUN exit after the VMM handled it (exit trace, exit statistics); kicks
 * ({@link VcpuExit.Interrupted}) are not exits of the guest and are not shown. Called on the
 * vCPU's own thread, outside KVM_RUN, so it may read the vCPU's registers through {@code fd}.
 * With no observer set the run loop does not even read the clock.
 */
@FunctionalInterface
public interface ExitObserver {
    /**
     * @param vcpu          the vCPU's index
     * @param exit          the exit as KVM reported it, with the answer to an IN or MMIO read filled in;
     *                      a port or MMIO view is valid only during this call
     * @param exitNanos     {@link System#nanoTime()} when KVM_RUN returned
     * @param handledNanos  {@link System#nanoTime()} when the VMM had handled the exit
     */
    void onExit(int vcpu, VcpuFd fd, VcpuExit exit, long exitNanos, long handledNanos);
}
