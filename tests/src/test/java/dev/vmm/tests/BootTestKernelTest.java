package dev.vmm.tests;

import dev.vmm.tap.TapReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Boots the bundled test kernel through the {@code ./vmm} launcher, as the README does: what the
 * command adds (exit status, {@code --timings}, {@code --exit-code qemu}). The kernel's own checks
 * are {@link TestKernelBootTest}'s, in-process.
 */
class BootTestKernelTest {
    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    @Test
    void readmeCommandBootsWithAllTestsOk() {
        // the README's first command (--smp 4), plus a command line that must reach the guest;
        // the kernel's checks themselves are TestKernelBootTest's (in-process)
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "4",
                "--append", "from-junit pvtest.epoch=" + Instant.now().getEpochSecond());
        assertEquals(0, r.status(), "the guest's debug-exit value is the exit status\n" + r);
        assertTrue(TapReport.parse(r.stdout()).allPassed(), "all TAP tests ok\n" + r);
        assertTrue(r.stdout().contains("# cpus online: 4 of 4"), "every AP came up\n" + r);
        assertTrue(r.stdout().contains("from-junit"), "the command line reached the guest\n" + r);
        assertEquals("", r.stderr(), r.toString());
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
        assertFalse(TapReport.parse(r.stdout()).allPassed(), r.toString());
        assertTrue(r.stdout().contains("not ok 1 - unexpected exception 6"), r.toString());
    }
}
