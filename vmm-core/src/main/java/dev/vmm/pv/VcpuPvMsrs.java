package dev.vmm.pv;

import java.util.List;
import java.util.Optional;

/**
 * One vCPU's PV MSRs as the host read them after a run ({@link PvReport#read}), or why they could
 * not be read. Values, not text: whoever shows them (vmm run --pv-report) or judges them decides
 * their form.
 *
 * @param vcpu    the vCPU index
 * @param kind    read, or which way it was not
 * @param entries every PV MSR with what it points to; empty when not read
 * @param failure the read's failure, for {@code FAILED}
 */
public record VcpuPvMsrs(int vcpu, Kind kind, List<PvReport.Entry> entries, Optional<String> failure) {
    /** Whether the MSRs were read. */
    public enum Kind {
        READ,
        /** The vCPU did not leave KVM_RUN in time: KVM_GET_MSRS would have waited for it. */
        STILL_RUNNING,
        /** The read itself failed. */
        FAILED
    }

    public VcpuPvMsrs {
        entries = List.copyOf(entries);
    }

    public static VcpuPvMsrs read(int vcpu, List<PvReport.Entry> entries) {
        return new VcpuPvMsrs(vcpu, Kind.READ, entries, Optional.empty());
    }

    public static VcpuPvMsrs stillRunning(int vcpu) {
        return new VcpuPvMsrs(vcpu, Kind.STILL_RUNNING, List.of(), Optional.empty());
    }

    public static VcpuPvMsrs failed(int vcpu, String why) {
        return new VcpuPvMsrs(vcpu, Kind.FAILED, List.of(), Optional.of(why));
    }
}
