package dev.vmm.pvtest.evidence;

import java.util.Map;
import java.util.Optional;

/**
 * The host's half of the kvm-pv-tlb-flush check: the test kernel watches vCPU 1's steal-time
 * {@code preempted} byte while the host makes vCPU 1 wait, and KVM counts, in vCPU 1's binary stats,
 * every time it was about to set that byte: {@code preemption_reported} when it did, and
 * {@code preemption_other} when it did not because the vCPU did not leave the guest at an
 * instruction boundary (kvm_steal_time_set_preempted; on kvm-pvm only the latter ever counts).
 * The guest's report and those counters must tell the same story.
 */
public final class PreemptionEvidence {
    public static final String REPORTED = "preemption_reported";
    public static final String OTHER = "preemption_other";

    private PreemptionEvidence() {
    }

    /**
     * @param guestSawByte  the guest saw the preempted byte set (its check passed)
     * @param vcpuStats     vCPU 1's counters changed over the run ({@code PcMachine.kvmStatsChanges}),
     *                      null when the host has no binary stats
     * @return empty when the host agrees or has no such counters; else why it does not
     */
    public static Optional<String> check(boolean guestSawByte, Map<String, Long> vcpuStats) {
        if (vcpuStats == null || !vcpuStats.containsKey(REPORTED) || !vcpuStats.containsKey(OTHER)) {
            return Optional.empty(); // KVM before 5.18 has no such counters
        }
        long reported = vcpuStats.get(REPORTED), other = vcpuStats.get(OTHER);
        if (guestSawByte && reported == 0) {
            return Optional.of("the guest saw vCPU 1's preempted byte set, but KVM's " + REPORTED + " for it is 0");
        }
        if (!guestSawByte && reported > 0) {
            return Optional.of("KVM marked vCPU 1 preempted " + reported + " time(s) (" + REPORTED
                    + "), but the guest never saw the byte set");
        }
        if (!guestSawByte && other == 0) {
            return Optional.of("KVM never saw vCPU 1 scheduled out while runnable (" + REPORTED + " and " + OTHER
                    + " both 0): the host did not make it wait");
        }
        return Optional.empty();
    }
}
