package dev.vmm.tests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the {@code ./vmm} launcher as a user would and captures what it printed and its status. */
record VmmProcess(int status, String stdout, String stderr) {
    static final long TIMEOUT_SECONDS = 120;

    static VmmProcess run(String... args) {
        return run(List.of(), args);
    }

    static VmmProcess run(List<String> prefix, String... args) {
        return run(TIMEOUT_SECONDS, prefix, args);
    }

    /** For the few runs that legitimately take longer than {@link #TIMEOUT_SECONDS} (a Linux bzImage on kvm-pvm). */
    static VmmProcess runFor(long waitSeconds, String... args) {
        return run(waitSeconds, List.of(), args);
    }

    /** The repository's {@code scripts/qemu-system-x86_64}: the launcher as a harness that wants QEMU calls it. */
    static VmmProcess runAsQemu(String... args) {
        Path launcher = Path.of(System.getProperty("vmm.launcher", "../vmm")).toAbsolutePath().normalize();
        return run(TIMEOUT_SECONDS, List.of(), launcher.resolveSibling("scripts").resolve("qemu-system-x86_64"), args);
    }

    private static VmmProcess run(long waitSeconds, List<String> prefix, String... args) {
        Path launcher = Path.of(System.getProperty("vmm.launcher", "../vmm")).toAbsolutePath().normalize();
        return run(waitSeconds, prefix, launcher, args);
    }

    private static VmmProcess run(long waitSeconds, List<String> prefix, Path launcher, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(launcher.toString());
        cmd.addAll(List.of(args));
        CapturedProcess p = CapturedProcess.run(waitSeconds, Path.of("").toAbsolutePath(), Map.of(), cmd);
        return new VmmProcess(p.status(), p.stdout(), p.stderr());
    }

    /** The stderr lines, for asserting that an error is exactly one line. */
    List<String> stderrLines() {
        return stderr.lines().filter(l -> !l.isBlank()).toList();
    }

    /** A bad input's contract: non-zero status, exactly one "vmm: ..." line on stderr naming the problem, no output. */
    void assertOneLineError(String expectedFragment) {
        org.junit.jupiter.api.Assertions.assertNotEquals(0, status, toString());
        List<String> lines = stderrLines();
        org.junit.jupiter.api.Assertions.assertEquals(1, lines.size(), "exactly one line on stderr\n" + this);
        org.junit.jupiter.api.Assertions.assertTrue(lines.get(0).startsWith("vmm: "), toString());
        org.junit.jupiter.api.Assertions.assertTrue(lines.get(0).contains(expectedFragment),
                "expected '" + expectedFragment + "'\n" + this);
        org.junit.jupiter.api.Assertions.assertEquals("", stdout, "nothing on stdout\n" + this);
    }

    @Override
    public String toString() {
        return "status " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
