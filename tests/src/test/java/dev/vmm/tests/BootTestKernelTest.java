package dev.vmm.tests;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Boots the bundled test kernel through the {@code ./vmm} launcher, as the README does. */
class BootTestKernelTest {
    private static final Pattern CPUID_LINE = Pattern.compile(
            "^# cpuid 0x40000001 eax=0x[0-9a-f]{8} ebx=0x[0-9a-f]{8} ecx=0x[0-9a-f]{8} edx=0x[0-9a-f]{8}$",
            Pattern.MULTILINE);

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    private static final String WALL_CLOCK = "pv kvmclock wall clock:";

    @ParameterizedTest(name = "--smp {0}")
    @ValueSource(ints = {1, 2, 4})
    void bootsWithAllTestsOkAndEveryCpuOnline(int cpus) {
        // pvtest.epoch: the host's time now, which the guest's kvmclock wall clock must match
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(),
                "--smp", Integer.toString(cpus), "--append", "from-junit pvtest.epoch=" + Instant.now().getEpochSecond());
        TapReport tap = TapReport.parse(r.stdout());
        assertTrue(tap.allOk(), "all TAP tests ok\n" + r);
        TapReport.Result wall = tap.results().stream().filter(t -> t.description().startsWith(WALL_CLOCK))
                .findFirst().orElseThrow(() -> new AssertionError("no wall clock line\n" + r));
        assertFalse(wall.description().contains("# SKIP"), "the wall clock was compared\n" + r);
        assertEquals(cpus - 1, r.stdout().lines().filter(l -> l.matches("# kvmclock cpu [1-9]\\d* .*")).count(),
                "every AP reported its own kvmclock structure\n" + r);
        assertEquals(0, r.status(), "the guest's debug-exit value is the exit status\n" + r);
        assertTrue(CPUID_LINE.matcher(r.stdout()).find(), "raw leaf 0x40000001 line\n" + r);
        assertTrue(r.stdout().contains("# cpus online: " + cpus + " of " + cpus), "every AP came up\n" + r);
        assertTrue(r.stdout().contains("from-junit"), "the command line reached the guest\n" + r);
    }

    @Test
    void wallClockAnHourOffFails() {
        // the control for the wall clock check: a host time one hour in the past must not pass
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(),
                "--append", "pvtest.epoch=" + (Instant.now().getEpochSecond() - 3600));
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(1, r.status(), r.toString());
        List<TapReport.Result> failed = tap.results().stream().filter(t -> !t.ok()).toList();
        assertEquals(1, failed.size(), "only the wall clock check fails\n" + r);
        assertTrue(failed.get(0).description().startsWith(WALL_CLOCK), r.toString());
    }

    @Test
    void writableKvmclockAliasFailsTheUserModeCheck() {
        // the control for the read-only alias: mapped writable, the ring-3 write does not fault
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--append", "pvtest.kvmclock-alias=rw");
        TapReport tap = TapReport.parse(r.stdout());
        assertEquals(1, r.status(), r.toString());
        List<TapReport.Result> failed = tap.results().stream().filter(t -> !t.ok()).toList();
        assertEquals(1, failed.size(), "only the user-mode kvmclock check fails\n" + r);
        assertTrue(failed.get(0).description().startsWith("pv kvmclock user mode:"), r.toString());
        assertTrue(r.stdout().contains("# user-mode write to the alias 0x140000004: no fault"), r.toString());
    }

    @Test
    void timingsReportFirstSerialByteAndEnd() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--timings");
        assertEquals(0, r.status(), r.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^vmm: timings: first serial byte (\\d+) ms, run ended (\\d+) ms after JVM start$",
                        java.util.regex.Pattern.MULTILINE).matcher(r.stderr());
        assertTrue(m.find(), r.toString());
        long first = Long.parseLong(m.group(1));
        long end = Long.parseLong(m.group(2));
        assertTrue(first > 0 && first <= end, "the first byte comes before the end\n" + r);
    }

    @Test
    void qemuExitCodeStyle() {
        VmmProcess r = VmmProcess.run("run", "-kernel", RequiresKvm.testKernel().toString(), "--exit-code", "qemu");
        assertEquals(1, r.status(), "QEMU reports (0 << 1) | 1\n" + r);
    }

    @Test
    void guestFailureStatusComesThrough() {
        // The test kernel exits 1 when a test fails; pvtest.fault=ud makes it take an invalid-opcode exception.
        VmmProcess r = VmmProcess.run("run", "-kernel", RequiresKvm.testKernel().toString(), "-append", "pvtest.fault=ud");
        assertEquals(1, r.status(), r.toString());
        assertFalse(TapReport.parse(r.stdout()).allOk(), r.toString());
        assertTrue(r.stdout().contains("not ok 1 - unexpected exception 6"), r.toString());
    }
}
