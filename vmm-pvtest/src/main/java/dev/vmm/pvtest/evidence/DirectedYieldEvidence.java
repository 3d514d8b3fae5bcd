package dev.vmm.pvtest.evidence;

import java.util.Map;
import java.util.Optional;

/**
 * The host's half of the kvm-pv-sched-yield and kvm-pv-unhalt checks: KVM counts a call of its
 * kvm_sched_yield() in the calling vCPU's {@code directed_yield_attempted}, first thing, before it
 * looks for the target vCPU (arch/x86/kvm/x86.c, Linux 5.15 to 6.1 at least). Two hypercalls get
 * there once each when KVM takes them: KVM_HC_SCHED_YIELD (11, kvm-pv-sched-yield), and
 * KVM_HC_KICK_CPU (5, kvm-pv-unhalt), which yields to the vCPU it has just kicked. A hypercall KVM
 * refuses (its bit off under kvm-pv-enforce-cpuid: -KVM_ENOSYS, guest_pv_has() false) never gets
 * there. The test kernel makes each of them once, from vCPU 0, in the same boot (pvfeatures.c:
 * test_yield, and test_pv_unhalt where a second vCPU is online), so vCPU 0's counter must have
 * moved by exactly the number of those calls KVM took: a row's evidence has to account for the
 * other check's hypercall too.
 */
public final class DirectedYieldEvidence {
    public static final String ATTEMPTED = "directed_yield_attempted";

    /**
     * The yielding hypercalls one boot of the test kernel makes from vCPU 0, each with what KVM was
     * expected to do with it.
     *
     * @param schedYield KVM_HC_SCHED_YIELD, made in every boot with hypercalls on
     * @param kickCpu    KVM_HC_KICK_CPU, made only with a second vCPU online (empty: not made)
     */
    public record Calls(PvAgreement.Expect schedYield, Optional<PvAgreement.Expect> kickCpu) {
        /** Fewest calls KVM can have counted: those that must work. */
        long fewest() {
            return count(schedYield, false) + kickCpu.map(e -> count(e, false)).orElse(0L);
        }

        /** Most: those that must work and those whose fate was not asserted. */
        long most() {
            return count(schedYield, true) + kickCpu.map(e -> count(e, true)).orElse(0L);
        }

        private static long count(PvAgreement.Expect e, boolean unknownCounts) {
            return switch (e) {
                case WORKS -> 1;
                case REFUSED -> 0;
                case NOT_ASSERTED -> unknownCounts ? 1 : 0;
            };
        }

        String describe() {
            return "SCHED_YIELD " + word(schedYield) + kickCpu.map(e -> ", KICK_CPU " + word(e)).orElse("");
        }

        private static String word(PvAgreement.Expect e) {
            return switch (e) {
                case WORKS -> "taken";
                case REFUSED -> "refused";
                case NOT_ASSERTED -> "maybe taken";
            };
        }
    }

    private DirectedYieldEvidence() {
    }

    /**
     * @param calls     the boot's yielding hypercalls and what KVM was expected to do with each
     * @param vcpuStats vCPU 0's counters changed over the run, null when the host has no binary stats
     * @return empty when the host agrees or cannot tell; else why it does not
     */
    public static Optional<String> check(Calls calls, Map<String, Long> vcpuStats) {
        if (vcpuStats == null || !vcpuStats.containsKey(ATTEMPTED)) {
            return Optional.empty(); // KVM before 5.15 has no such counter
        }
        long attempted = vcpuStats.get(ATTEMPTED), fewest = calls.fewest(), most = calls.most();
        if (attempted >= fewest && attempted <= most) return Optional.empty();
        String expected = fewest == most ? String.valueOf(fewest) : fewest + " to " + most;
        return Optional.of("KVM's " + ATTEMPTED + " for vCPU 0 moved by " + attempted + ", but the boot's yielding"
                + " hypercalls (" + calls.describe() + ") account for " + expected);
    }
}
