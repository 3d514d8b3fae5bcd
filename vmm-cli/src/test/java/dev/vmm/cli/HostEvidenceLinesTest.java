package dev.vmm.cli;

import dev.vmm.machine.KvmStatsChange;
import dev.vmm.pv.PvClockInfo;
import dev.vmm.pv.PvMsr;
import dev.vmm.pv.PvReport;
import dev.vmm.pv.VcpuPvMsrs;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** The text vmm run prints for the machine's host evidence, which scripts and the integration tests read. */
class HostEvidenceLinesTest {
    @Test
    void statsLinesPutTheKeyCountersFirst() {
        Map<String, Long> changed = new LinkedHashMap<>();
        changed.put("pf_taken", 6L);
        changed.put("halt_exits", 200L);
        changed.put("hypercalls", 0L); // unchanged: left out
        changed.put("exits", 9417L);
        List<String> lines = HostEvidenceLines.kvmStats(List.of(
                new KvmStatsChange(0, KvmStatsChange.Kind.READ, changed, Optional.empty()),
                new KvmStatsChange(1, KvmStatsChange.Kind.NOT_AVAILABLE, Map.of(), Optional.of("no KVM_GET_STATS_FD"))));
        assertEquals(List.of("# stats: vcpu 0 exits=9417 halt_exits=200 pf_taken=6",
                "# stats: vcpu 1 not available: no KVM_GET_STATS_FD"), lines);
    }

    @Test
    void pvMsrLinesNameTheMsrAndWhatItPointsTo() {
        byte[] clock = new byte[PvClockInfo.SIZE];
        clock[0] = 2; // version 2
        clock[16] = 5; // system_time 5
        Map<String, Object> decoded = new LinkedHashMap<>();
        decoded.put("enabled", true);
        decoded.put("gpa", 0x1000L);
        decoded.put("kvmclock", PvClockInfo.decode(clock));
        List<String> lines = HostEvidenceLines.pvMsrs(List.of(
                VcpuPvMsrs.read(0, List.of(new PvReport.Entry(PvMsr.SYSTEM_TIME_NEW, 0x1001L, decoded),
                        new PvReport.Entry(PvMsr.POLL_CONTROL, null, Map.of()))),
                VcpuPvMsrs.stillRunning(1)));
        assertEquals(List.of("# host: vcpu 0 MSR_KVM_SYSTEM_TIME_NEW=0x1001 (gpa=0x1000 kvmclock version=2 system_time=5"
                        + " tsc_timestamp=0 mul=0 shift=0 flags=0x0)",
                "# host: vcpu 0 MSR_KVM_POLL_CONTROL unsupported (KVM_GET_MSRS rejected it)",
                "# host: vcpu 1 still in KVM_RUN, MSRs not read"), lines);
    }
}
