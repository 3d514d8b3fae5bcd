package dev.vmm.cli;

import dev.vmm.machine.KvmStatsChange;
import dev.vmm.pv.PvClockInfo;
import dev.vmm.pv.PvReport;
import dev.vmm.pv.VcpuPvMsrs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code vmm run}'s host evidence after the guest's output, as TAP comment lines a TAP reader
 * skips: {@code # host: vcpu N NAME=0x… (…)} per PV MSR (--pv-report) and one
 * {@code # stats: vcpu N name=delta …} line per vCPU (--kvm-stats). The machine gives the values;
 * this is their one text form, which scripts and the integration tests read.
 */
final class HostEvidenceLines {
    /** Stats names printed first, in this order; the rest follow in KVM's order. */
    private static final List<String> KVM_STATS_FIRST = List.of("exits", "io_exits", "halt_exits",
            "halt_attempted_poll", "halt_successful_poll", "directed_yield_attempted", "directed_yield_successful",
            "preemption_reported", "irq_injections", "hypercalls");

    private HostEvidenceLines() {
    }

    /** One line per PV MSR of each vCPU, or one line saying why a vCPU's were not read. */
    static List<String> pvMsrs(List<VcpuPvMsrs> vcpus) {
        List<String> out = new ArrayList<>();
        for (VcpuPvMsrs v : vcpus) {
            switch (v.kind()) {
                case STILL_RUNNING -> out.add("# host: vcpu " + v.vcpu() + " still in KVM_RUN, MSRs not read");
                case FAILED -> out.add("# host: vcpu " + v.vcpu() + " MSRs not read: " + v.failure().orElse(""));
                case READ -> v.entries().forEach(e -> out.add(pvMsr(v.vcpu(), e)));
            }
        }
        return out;
    }

    private static String pvMsr(int vcpu, PvReport.Entry e) {
        StringBuilder sb = new StringBuilder("# host: vcpu ").append(vcpu).append(' ').append(e.msr().linuxName());
        if (!e.supported()) return sb.append(" unsupported (KVM_GET_MSRS rejected it)").toString();
        sb.append("=0x").append(Long.toHexString(e.value()));
        Map<String, Object> d = e.decoded();
        if (d.get("kvmclock") instanceof PvClockInfo clock) {
            sb.append(" (gpa=0x").append(Long.toHexString((Long) d.get("gpa"))).append(' ').append(clock).append(')');
        } else if (d.containsKey("error")) {
            sb.append(" (gpa=0x").append(Long.toHexString((Long) d.get("gpa"))).append(' ').append(d.get("error")).append(')');
        } else if (e.msr().isGpaWithEnable()) {
            // PV-EOI: also the word's bit 0, 1 = an interrupt KVM let the guest ack is not acked yet
            String pending = d.containsKey("pending-eoi") ? ", pending-eoi=" + d.get("pending-eoi") : "";
            sb.append(Boolean.TRUE.equals(d.get("enabled"))
                    ? " (enabled, gpa=0x" + Long.toHexString((Long) d.get("gpa")) + pending + ")" : " (disabled)");
        }
        return sb.toString();
    }

    /** One line per vCPU: the counters that moved (not the zeros), exits, io_exits, halt_* and directed_yield_* first. */
    static List<String> kvmStats(List<KvmStatsChange> vcpus) {
        List<String> out = new ArrayList<>();
        for (KvmStatsChange v : vcpus) {
            switch (v.kind()) {
                case NOT_AVAILABLE -> out.add("# stats: vcpu " + v.vcpu() + " not available: " + v.error().orElse(""));
                case NOT_READ -> out.add("# stats: vcpu " + v.vcpu() + " not read: " + v.error().orElse(""));
                case READ -> {
                    StringBuilder sb = new StringBuilder("# stats: vcpu ").append(v.vcpu());
                    Map<String, Long> rest = new LinkedHashMap<>(v.changed());
                    rest.values().removeIf(n -> n == 0);
                    for (String name : KVM_STATS_FIRST) {
                        Long n = rest.remove(name);
                        if (n != null) sb.append(' ').append(name).append('=').append(n);
                    }
                    rest.forEach((name, n) -> sb.append(' ').append(name).append('=').append(n));
                    out.add(sb.toString());
                }
            }
        }
        return out;
    }
}
