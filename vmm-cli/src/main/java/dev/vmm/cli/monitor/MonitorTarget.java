package dev.vmm.cli.monitor;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** What the QMP monitor may see and do of a running machine. */
public interface MonitorTarget {
    /** QEMU's RunState name: "running", "paused", "shutdown", "internal-error", … */
    String status();

    void stop();

    void cont();

    void reset();

    /** Ends the VM as QEMU's {@code quit} does. */
    void quit();

    /** Kernel thread id of each vCPU's thread, by vCPU index (0 before the thread started). */
    List<Integer> vcpuThreadIds();

    /** PV feature properties (QEMU names → on/off) of CPU model {@code name} on this machine. */
    java.util.Map<String, Boolean> cpuModelProperties(String name);

    /** The PV state per vCPU for {@code x-query-pv}. */
    JsonNode pvState();

    /** Exit counts and handling times so far, for {@code x-query-exit-stats} (needs --exit-stats). */
    JsonNode exitStats();

    /**
     * Runs {@code action} with every vCPU held outside {@code KVM_RUN}, then lets the guest go on
     * as it was (a paused guest stays paused). Fails when the guest has ended.
     */
    default <T> T inspect(java.util.function.Function<GuestView, T> action) {
        throw QmpError.generic("this monitor cannot look at the guest");
    }

    /** The address spaces in QEMU's {@code info mtree} layout. */
    default String memoryTree() {
        throw QmpError.generic("this monitor cannot list the address spaces");
    }
}
