package dev.vmm.tests;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vmm test}: every PV feature on, off and off with kvm-pv-enforce-cpuid, proven from inside
 * the test kernel; and {@code vmm run --pv-report}: the host's view of kvmclock agrees with the guest's.
 */
class PvFeatureMatrixTest {
    private static final Pattern CELL = Pattern.compile(
            "\\{\"feature\":\"([^\"]+)\",\"config\":\"([^\"]+)\",\"cpu\":\"([^\"]*)\",\"status\":\"([^\"]+)\",\"reason\":\"((?:[^\"\\\\]|\\\\.)*)\"}");

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    @Test
    void everyCellPassesOrIsAnExplainedSkip() {
        VmmProcess r = VmmProcess.run("test", "--smp", "2", "--json", "--kernel", RequiresKvm.testKernel().toString());
        List<String> cells = new ArrayList<>();
        Matcher m = CELL.matcher(r.stdout());
        int pass = 0;
        while (m.find()) {
            String where = m.group(1) + " " + m.group(2) + " (-cpu " + m.group(3) + ")";
            cells.add(where);
            switch (m.group(4)) {
                case "pass" -> pass++;
                case "skip" -> assertFalse(m.group(5).isBlank(), "a skip says why: " + where + "\n" + r);
                default -> fail(where + ": " + m.group(4) + ": " + m.group(5) + "\n" + r);
            }
        }
        long features = cells.stream().map(c -> c.substring(0, c.indexOf(' '))).distinct().count();
        assertTrue(features >= 13, "every PV feature the kernel checks has a row\n" + r);
        assertEquals(features * 3, cells.size(), "features x (on, off, off+enforce)\n" + r);
        for (String f : List.of("kvm-nopiodelay", "kvm-msi-ext-dest-id", "kvm-pv-unhalt", "kvm-steal-time",
                "kvm-pv-tlb-flush", "kvmclock")) {
            assertTrue(cells.stream().anyMatch(c -> c.startsWith(f + " ")), f + " has a row\n" + r);
        }
        assertTrue(pass >= 3 * 3, "at least kvmclock, pv-eoi and poll-control are provable on any KVM ≥ 5.10\n" + r);
        assertTrue(r.stdout().contains("{\"feature\":\"kvmclock\",\"config\":\"off+enforce\""), r.toString());
        assertEquals(0, r.status(), r.toString());
    }

    @Test
    void hostViewOfKvmclockMatchesTheGuest() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--pv-report", "--append", "pvtest.leave-msrs=1");
        assertEquals(0, r.status(), r.toString());
        Matcher guest = Pattern.compile("^# kvmclock msr=0x4b564d01 gpa=(0x[0-9a-f]+) version=(\\d+)", Pattern.MULTILINE)
                .matcher(r.stdout());
        assertTrue(guest.find(), "the guest printed its kvmclock registration\n" + r);
        Matcher host = Pattern.compile(
                "^# host: vcpu 0 MSR_KVM_SYSTEM_TIME_NEW=(0x[0-9a-f]+) \\(gpa=(0x[0-9a-f]+) kvmclock version=(\\d+) system_time=(\\d+)",
                Pattern.MULTILINE).matcher(r.stdout());
        assertTrue(host.find(), "the host decoded vCPU 0's kvmclock\n" + r);
        assertEquals(guest.group(1), host.group(2), "same GPA\n" + r);
        assertEquals(Long.decode(guest.group(1)) | 1, Long.decode(host.group(1)), "MSR = GPA | enable\n" + r);
        long version = Long.parseLong(host.group(3));
        assertEquals(0, version % 2, "even version: KVM is not mid-update\n" + r);
        assertTrue(version >= Long.parseLong(guest.group(2)), "the host sees the guest's version or a later one\n" + r);
        assertTrue(Long.parseLong(host.group(4)) > 0, r.toString());
        // Every vCPU reports every PV MSR: read, or reported as unsupported.
        for (int cpu = 0; cpu < 2; cpu++) {
            assertTrue(r.stdout().contains("# host: vcpu " + cpu + " MSR_KVM_POLL_CONTROL"), r.toString());
        }
    }
}
