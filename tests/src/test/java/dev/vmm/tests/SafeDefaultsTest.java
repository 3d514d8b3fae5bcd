package dev.vmm.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, safe defaults as a user meets them: Unix sockets 0600 even under umask 000 and removed
 * when vmm is ended by SIGTERM or SIGINT; a warning for a TCP listener on every interface.
 */
class SafeDefaultsTest {
    @TempDir
    Path tmp;

    private static String launcher() {
        return Path.of(System.getProperty("vmm.launcher", "../vmm")).toAbsolutePath().normalize().toString();
    }

    private void socketIsPrivateAndRemovedOn(String signal) throws Exception {
        RequiresKvm.check();
        Path qmp = tmp.resolve(signal + ".sock");
        // umask 000: without the fix the socket was 0777
        Process p = new ProcessBuilder("sh", "-c", "umask 000; exec \"$0\" \"$@\"", launcher(), "run", "--kernel",
                RequiresKvm.testKernel().toString(), "--append", "pvtest.spin=user", "--serial", "null",
                "--qmp", "unix:" + qmp + ",server=on,wait=off").redirectErrorStream(true)
                .redirectOutput(tmp.resolve(signal + ".log").toFile()).start();
        try {
            for (int i = 0; i < 300 && !Files.exists(qmp); i++) Thread.sleep(50);
            assertTrue(Files.exists(qmp), "socket appeared");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(qmp)));
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "vmm ended on SIG" + signal);
            assertFalse(Files.exists(qmp), "socket removed on SIG" + signal);
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void unixSocketIsPrivateAndRemovedOnSigterm() throws Exception {
        socketIsPrivateAndRemovedOn("TERM");
    }

    @Test
    void unixSocketIsPrivateAndRemovedOnSigint() throws Exception {
        socketIsPrivateAndRemovedOn("INT");
    }

    @Test
    void aTcpListenerOnEveryInterfaceIsWarnedAbout() {
        RequiresKvm.check();
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(),
                "--serial", "tcp::0,server=on,wait=off", "--timeout", "60");
        assertTrue(r.stderr().startsWith("vmm: warning: tcp:0.0.0.0:0 listens on every network interface"), r.toString());
        VmmProcess local = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(),
                "--serial", "tcp:127.0.0.1:0,server=on,wait=off", "--timeout", "60");
        assertFalse(local.stderr().contains("warning"), local.toString());
    }

    @Test
    void aRegularFileAtTheQmpPathIsKept() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--qmp", "unix:" + file)
                .assertOneLineError("exists and is not a socket");
        assertEquals("mine", Files.readString(file));
    }
}
