package dev.vmm.pv;

import java.util.Map;
import java.util.Optional;

/**
 * The host's half of the kvm-poll-control check in {@code vmm test}: the test kernel makes ~50 us
 * halts with MSR_KVM_POLL_CONTROL at 1 (pvtest.shorthalts, pv_poll.c), and KVM, which grows a
 * vCPU's poll window after halts shorter than its {@code halt_poll_ns} limit, must then have polled
 * before some of them ({@code halt_attempted_poll} in vCPU 0's binary stats). With the MSR at 0 it
 * never polls; the JUnit suite shows that contrast (KvmStatsTest).
 */
public final class HaltPollEvidence {
    public static final String ATTEMPTED = "halt_attempted_poll";

    private HaltPollEvidence() {
    }

    /**
     * @param expect       WORKS where the guest's poll-control MSR worked (else no verdict)
     * @param vcpuStats    vCPU 0's counters changed over the run, null without binary stats
     * @param hostPollNs   the kvm module's halt_poll_ns (0: the host never polls; -1: unknown)
     * @return empty when the host agrees or cannot tell; else why it does not
     */
    public static Optional<String> check(PvAgreement.Expect expect, Map<String, Long> vcpuStats, long hostPollNs) {
        if (expect != PvAgreement.Expect.WORKS || hostPollNs == 0 || vcpuStats == null
                || !vcpuStats.containsKey(ATTEMPTED)) {
            return Optional.empty();
        }
        if (vcpuStats.get(ATTEMPTED) == 0) {
            return Optional.of("the guest halted briefly with poll-control 1, but KVM never polled (" + ATTEMPTED + " 0)");
        }
        return Optional.empty();
    }

    /** /sys/module/kvm/parameters/halt_poll_ns, or -1 when it cannot be read. */
    public static long hostHaltPollNs() {
        try {
            return Long.parseLong(java.nio.file.Files.readString(
                    java.nio.file.Path.of("/sys/module/kvm/parameters/halt_poll_ns")).trim());
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
    }
}
