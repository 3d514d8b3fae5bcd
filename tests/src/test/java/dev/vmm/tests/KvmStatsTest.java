package dev.vmm.tests;

import dev.vmm.kvm.Kvm;
import dev.vmm.kvm.KvmStats;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.kvm.VmFd;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** {@code vmm run --kvm-stats}: KVM's per-vCPU binary stats as host-side evidence. */
class KvmStatsTest {
    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    /** The {@code # stats: vcpu N ...} line's counters (only those that changed during the run). */
    static Map<String, Long> stats(VmmProcess r, int vcpu) {
        Matcher m = Pattern.compile("^# stats: vcpu " + vcpu + "((?: [a-z0-9_]+=-?\\d+)*)\\s*$", Pattern.MULTILINE)
                .matcher(r.stdout());
        assertTrue(m.find(), "a stats line for vcpu " + vcpu + "\n" + r);
        Map<String, Long> out = new LinkedHashMap<>();
        for (String kv : m.group(1).trim().split(" ")) {
            if (kv.isEmpty()) continue;
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
        }
        return out;
    }

    @Test
    void bootPrintsPerVcpuCounters() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--kvm-stats");
        assertEquals(0, r.status(), r.toString());
        Map<String, Long> bsp = stats(r, 0);
        stats(r, 1);
        assertTrue(bsp.getOrDefault("exits", 0L) > 0, "vCPU 0 exits\n" + r);
        // vCPU 0 writes the TAP report to COM1. A plain KVM host counts those writes in io_exits;
        // the kvm-pvm host this was developed on leaves io_exits at 0 and counts them as
        // insn_emulation instead (measured: exits≈3900, insn_emulation≈89000, io_exits 0).
        assertTrue(bsp.getOrDefault("io_exits", 0L) > 0 || bsp.getOrDefault("insn_emulation", 0L) > 0,
                "vCPU 0's COM1 writes show as io_exits (or insn_emulation on kvm-pvm)\n" + r);
    }

    @Test
    void pollControlEvidence() {
        // The host must have the halt-polling counters at all.
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm(); VcpuFd vcpu = vm.createVcpu(0);
             KvmStats s = KvmStats.open(vcpu.statsFd())) {
            for (String name : List.of("exits", "halt_exits", "halt_attempted_poll", "halt_successful_poll")) {
                assertTrue(s.names().contains(name), name + " in " + s.names());
            }
        }
        long[][] polls = new long[2][2];
        String[] cpus = {"host", "host,+kvm-poll-control"};
        for (int run = 0; run < 2; run++) {
            VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                    "--kvm-stats", "--cpu", cpus[run]);
            assertEquals(0, r.status(), r.toString());
            Map<String, Long> ap = stats(r, 1);
            polls[run][0] = ap.getOrDefault("halt_attempted_poll", 0L);
            polls[run][1] = ap.getOrDefault("halt_successful_poll", 0L);
            System.out.println("# poll-control evidence: -cpu " + cpus[run] + " vcpu 1 halt_attempted_poll="
                    + polls[run][0] + " halt_successful_poll=" + polls[run][1] + " (" + ap + ")");
        }
        // No direction asserted: the test kernel leaves MSR_KVM_POLL_CONTROL at its default (1) in both
        // runs, and on the kvm-pvm host the AP halts twice without KVM ever polling (both counters 0
        // in every run measured), so the numbers do not differ reliably.
        for (long[] p : polls) {
            assertTrue(p[1] <= p[0], "successful polls never exceed attempted ones");
        }
    }
}
