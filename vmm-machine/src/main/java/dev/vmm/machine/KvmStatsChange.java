package dev.vmm.machine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How one vCPU's KVM binary stats changed over a run ({@link PcMachine#kvmStatsChanges}): every
 * counter with its change, in KVM's order, or why there are none to give.
 *
 * @param vcpu    the vCPU index
 * @param kind    read, or which of the two ways it failed
 * @param changed counter name to its change, unchanged ones as 0 (a missing name is a counter this
 *                host's KVM does not have); empty unless {@code READ}
 * @param error   the failure's message (empty for {@code READ})
 */
public record KvmStatsChange(int vcpu, Kind kind, Map<String, Long> changed, Optional<String> error) {
    /** Whether the counters were read, and if not, at which step it failed. */
    public enum Kind {
        READ,
        /** The vCPU's stats fd could not be opened (a host without KVM_CAP_BINARY_STATS_FD). */
        NOT_AVAILABLE,
        /** The fd was open, but reading it after the run failed. */
        NOT_READ
    }

    public KvmStatsChange {
        changed = Collections.unmodifiableMap(new LinkedHashMap<>(changed));
    }

    static KvmStatsChange read(int vcpu, Map<String, Long> changed) {
        return new KvmStatsChange(vcpu, Kind.READ, changed, Optional.empty());
    }

    static KvmStatsChange failed(int vcpu, Kind kind, String error) {
        return new KvmStatsChange(vcpu, kind, Map.of(), Optional.of(String.valueOf(error)));
    }
}
