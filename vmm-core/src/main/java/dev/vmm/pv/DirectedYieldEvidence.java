package dev.vmm.pv;

import java.util.Map;
import java.util.Optional;

/**
 * The host's half of the kvm-pv-sched-yield check: KVM's KVM_HC_SCHED_YIELD handler
 * (kvm_sched_yield) counts every call it takes in the calling vCPU's {@code directed_yield_attempted}
 * before deciding whether to yield, and {@code directed_yield_successful} when it did. A hypercall
 * KVM refuses (the feature off under kvm-pv-enforce-cpuid: -KVM_ENOSYS) never gets there. So where
 * the guest's SCHED_YIELD worked, vCPU 0's attempted count must have moved, and where it was refused
 * it must not have.
 */
public final class DirectedYieldEvidence {
    public static final String ATTEMPTED = "directed_yield_attempted";

    private DirectedYieldEvidence() {
    }

    /**
     * @param expect    what the guest's check expected of the hypercall (WORKS or REFUSED;
     *                  NOT_ASSERTED gives no verdict)
     * @param vcpuStats vCPU 0's counters changed over the run, null when the host has no binary stats
     * @return empty when the host agrees or cannot tell; else why it does not
     */
    public static Optional<String> check(PvAgreement.Expect expect, Map<String, Long> vcpuStats) {
        if (vcpuStats == null || !vcpuStats.containsKey(ATTEMPTED)) {
            return Optional.empty(); // KVM before 5.15 has no such counter
        }
        long attempted = vcpuStats.get(ATTEMPTED);
        if (expect == PvAgreement.Expect.WORKS && attempted == 0) {
            return Optional.of("the guest's SCHED_YIELD returned 0, but KVM's " + ATTEMPTED + " for vCPU 0 did not move");
        }
        if (expect == PvAgreement.Expect.REFUSED && attempted > 0) {
            return Optional.of("SCHED_YIELD was refused to the guest, but KVM counted " + attempted + " " + ATTEMPTED);
        }
        return Optional.empty();
    }
}
