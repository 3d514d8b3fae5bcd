package dev.vmm.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 14: --timeout 0 and negative values were accepted; a paused guest was reported as "still running". */
class TimeoutTest {
    @TempDir
    Path tmp;

    @Test
    void zeroAndNegativeTimeoutsAreRefused() {
        for (String t : new String[] {"0", "-1"}) {
            VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--timeout", t);
            r.assertOneLineError("invalid --timeout " + t);
            assertEquals(2, r.status(), r.toString());
        }
    }

    @Test
    void aGuestPausedByTheMonitorIsReportedAsPausedAtTheTimeout() throws Exception {
        RequiresKvm.check();
        Path qmp = tmp.resolve("q.sock");
        Path launcher = Path.of(System.getProperty("vmm.launcher", "../vmm")).toAbsolutePath().normalize();
        Path err = tmp.resolve("err.txt");
        Process vmm = new ProcessBuilder(launcher.toString(), "run", "--kernel", RequiresKvm.testKernel().toString(),
                "--append", "pvtest.spin=user", "--serial", "null", "--timeout", "4",
                "--qmp", "unix:" + qmp + ",server=on,wait=off").redirectError(err.toFile()).start();
        try {
            for (int i = 0; i < 300 && !Files.exists(qmp); i++) Thread.sleep(50);
            try (QmpClient c = new QmpClient(qmp)) {
                c.execute("qmp_capabilities");
                assertTrue(c.execute("stop").has("return"));
                assertTrue(vmm.waitFor(30, TimeUnit.SECONDS), "ended at the timeout");
            }
            assertEquals(125, vmm.exitValue());
            String stderr = Files.readString(err);
            assertTrue(stderr.contains("vmm: guest paused (by the monitor) after 4 s; stopped it"), stderr);
            assertTrue(REGISTER_DUMP.matcher(stderr).find(), "the parked vCPU's registers follow: " + stderr);
        } finally {
            vmm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A register dump as QEMU's {@code info registers} starts one: CPU number, then EAX or RAX. */
    private static final Pattern REGISTER_DUMP = Pattern.compile("CPU#0\n[ER]AX=[0-9a-f]+");

    @Test
    void aGuestStillRunningAtTheTimeoutIsStoppedWithItsRegisters() throws Exception {
        RequiresKvm.check();
        // the vCPU spins in the guest: it has to be kicked out of KVM_RUN for its registers
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(),
                "--append", "pvtest.spin=user", "--serial", "null", "--timeout", "2");
        assertEquals(125, r.status(), r.toString());
        assertTrue(r.stderr().contains("vmm: guest still running after 2 s; stopped it"), r.toString());
        assertTrue(REGISTER_DUMP.matcher(r.stderr()).find(), r.toString());
    }
}
