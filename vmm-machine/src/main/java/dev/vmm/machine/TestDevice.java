package dev.vmm.machine;

/**
 * The devices a PC does not have but test boots may ask for in their {@link MachineConfig}: each is
 * attached through the board like any other device, on its {@link dev.vmm.platform.PlatformLayout}
 * port range, and a guest that does not use it sees a free port.
 */
public enum TestDevice {
    /** {@link dev.vmm.devices.HostContention}: the guest may make the host take a CPU from its vCPU (steal time). */
    HOST_CONTENTION,
    /**
     * {@link dev.vmm.devices.PageEvictPort}: the guest may have a page of its RAM dropped (real async
     * page faults). File-backed RAM ({@code memPath}) always has it; anonymous RAM needs userfaultfd,
     * and without it the machine has no port and says so ({@link PcMachine#missingTestDevice}).
     */
    PAGE_EVICT,
    /**
     * {@link dev.vmm.devices.KvmStatsWindow}, with every vCPU's KVM binary stats opened before the
     * run: the guest may bracket its own actions for the host to measure, and
     * {@link PcMachine#kvmStatsChanges} gives the whole run's changes.
     */
    KVM_STATS_WINDOW
}
