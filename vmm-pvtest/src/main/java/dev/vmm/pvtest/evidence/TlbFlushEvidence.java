package dev.vmm.pvtest.evidence;

import java.util.Map;
import java.util.Optional;

/**
 * The host's half of the kvm-pv-tlb-flush check on a host that marks vCPUs preempted: while the
 * host makes AP 1 wait (its thread pinned to one CPU with a busy thread), the BSP sets
 * KVM_VCPU_FLUSH_TLB (bit 1) in AP 1's steal-time {@code preempted} byte whenever it shows the
 * vCPU preempted, and waits to see KVM clear it. KVM clears the byte at the vCPU's next entry
 * (record_steal_time, arch/x86/kvm/x86.c) and, where the guest has kvm-pv-tlb-flush and the bit was
 * set, flushes the vCPU's TLB on its behalf (kvm_vcpu_flush_tlb_guest), counting it in the vCPU's
 * {@code tlb_flush}. AP 1 brackets its contended stretch (stats window 2), so where the guest saw
 * its request cleared, vCPU 1's {@code tlb_flush} must have moved in that window. (Other flushes
 * count there too, so the stat cannot show a request that was ignored while others happened; and
 * no request, no claim: the refused column sets no bit.)
 */
public final class TlbFlushEvidence {
    /** The test kernel's stats window around AP 1's contended stretch (pvfeatures.h STATS_WINDOW_PREEMPTED). */
    public static final int WINDOW = 2;
    public static final String TLB_FLUSH = "tlb_flush";

    private TlbFlushEvidence() {
    }

    /**
     * @param flushRequested the guest set the flush bit and saw KVM clear it (its check passed with the feature usable)
     * @param window         vCPU 1's counter changes over its contended stretch; empty when not measured
     * @param haveStats      the host has binary stats at all (else no verdict)
     * @return empty when the host agrees or cannot tell; else why it does not
     */
    public static Optional<String> check(boolean flushRequested, Optional<Map<String, Long>> window, boolean haveStats) {
        if (!flushRequested || !haveStats) return Optional.empty();
        if (window.isEmpty()) return Optional.of("AP 1's contended stretch was not measured (no stats window 2 from the guest)");
        Long flushes = window.get().get(TLB_FLUSH);
        if (flushes == null) return Optional.empty(); // not this KVM's stats
        if (flushes == 0) {
            return Optional.of("the guest asked for a TLB flush in vCPU 1's preempted byte and saw it cleared, but KVM's "
                    + TLB_FLUSH + " for vCPU 1 did not move while it was preempted");
        }
        return Optional.empty();
    }
}
