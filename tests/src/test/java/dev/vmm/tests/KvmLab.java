package dev.vmm.tests;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The nested kvm-amd lab ({@code scripts/kvm-lab}: a QEMU TCG guest with a standard /dev/kvm) for
 * the tests that need a standard KVM. The rule is RequiresKvm's, for QEMU: where
 * qemu-system-x86_64 is missing the test is skipped with a message, unless VMM_REQUIRE_KVM=1; where
 * QEMU is installed and the lab cannot start, the test fails (it never skips).
 */
final class KvmLab {
    /** What the lab's commands print and end with, and how long the whole lab run took. */
    record Run(int status, String stdout, String stderr, long millis) {
        @Override
        public String toString() {
            return "kvm-lab status " + status + " after " + millis + " ms\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private KvmLab() {
    }

    static void check() {
        if (onPath("qemu-system-x86_64")) return;
        if ("1".equals(System.getenv("VMM_REQUIRE_KVM"))) {
            fail("VMM_REQUIRE_KVM=1 but qemu-system-x86_64 is not installed: the kvm-amd lab cannot run (scripts/setup installs it)");
        }
        Assumptions.abort("skipped: qemu-system-x86_64 is missing, so there is no kvm-amd lab here"
                + " (install qemu-system-x86; set VMM_REQUIRE_KVM=1 to make this a failure)");
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    /**
     * {@code scripts/kvm-lab --timeout S -- COMMAND...} from the checkout's root; waits a little longer
     * than the lab's own timeout, which kills QEMU and exits 124 by itself.
     */
    static Run run(int timeoutSeconds, String... command) {
        Path root = Path.of(System.getProperty("vmm.launcher", "../vmm")).toAbsolutePath().normalize().getParent();
        List<String> cmd = new ArrayList<>(List.of(root.resolve("scripts/kvm-lab").toString(), "--timeout",
                String.valueOf(timeoutSeconds), "--"));
        cmd.addAll(List.of(command));
        try {
            Path out = Files.createTempFile("kvm-lab-out", ".txt");
            Path err = Files.createTempFile("kvm-lab-err", ".txt");
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).directory(root.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds + 60L, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("kvm-lab did not end " + (timeoutSeconds + 60) + " s after it started (its own timeout is "
                        + timeoutSeconds + " s)\n" + Files.readString(err));
            }
            Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), (System.nanoTime() - t0) / 1_000_000);
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
}
