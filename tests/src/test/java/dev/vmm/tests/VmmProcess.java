package dev.vmm.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

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
        try {
            Path out = Files.createTempFile("vmm-out", ".txt");
            Path err = Files.createTempFile("vmm-err", ".txt");
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(waitSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("vmm " + String.join(" ", args) + " did not finish in " + waitSeconds + " s; output so far:\n"
                        + Files.readString(out));
            }
            VmmProcess r = new VmmProcess(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
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
