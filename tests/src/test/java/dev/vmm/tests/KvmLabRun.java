package dev.vmm.tests;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One run of {@code scripts/kvm-lab}: COMMAND inside a nested kvm-amd guest under QEMU TCG (see the
 * script), with what it printed, its status and how long it took. The lab needs only QEMU, not
 * /dev/kvm, so its tests follow {@link #requireQemu()}: skipped where qemu-system-x86_64 is absent
 * (failing under VMM_REQUIRE_KVM=1), and failing, never skipping, where QEMU is there but the lab
 * cannot start.
 */
record KvmLabRun(int status, String stdout, String stderr, Duration took) {
    static void requireQemu() {
        boolean present = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            present |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, "qemu-system-x86_64"));
        }
        if (!present) {
            if ("1".equals(System.getenv("VMM_REQUIRE_KVM"))) {
                fail("VMM_REQUIRE_KVM=1 but qemu-system-x86_64 is not installed (scripts/setup installs it): the kvm-lab cannot run");
            }
            Assumptions.abort("skipped: qemu-system-x86_64 is not installed, so the kvm-lab cannot run"
                    + " (set VMM_REQUIRE_KVM=1 to make this a failure)");
        }
    }

    /**
     * Runs {@code scripts/kvm-lab LAB_OPTIONS -- COMMAND} from the repository root with {@code env}
     * added to ours. If it has not ended after {@code waitSeconds} the script is sent SIGTERM (its
     * trap stops QEMU) and the test fails.
     */
    static KvmLabRun run(long waitSeconds, Map<String, String> env, List<String> labOptions, String... command) {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("scripts/kvm-lab").toString());
        cmd.addAll(labOptions);
        cmd.add("--");
        cmd.addAll(List.of(command));
        CapturedProcess p = CapturedProcess.run(waitSeconds, root, env, cmd);
        return new KvmLabRun(p.status(), p.stdout(), p.stderr(), p.took());
    }

    /** The non-blank stderr lines: the lab's progress lines, then the command's stderr or the lab's error. */
    List<String> stderrLines() {
        return stderr.lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * The lab's contract for a failure: the given status, nothing on stdout, and on stderr at most
     * the lab's progress lines followed by one "kvm-lab: " line naming the problem.
     */
    void assertOneLineError(int expectedStatus, String expectedFragment) {
        assertEquals(expectedStatus, status, toString());
        assertEquals("", stdout, "nothing on stdout\n" + this);
        List<String> lines = stderrLines();
        assertFalse(lines.isEmpty(), toString());
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("kvm-lab: ") && last.contains(expectedFragment), "expected '" + expectedFragment + "' last\n" + this);
        for (String l : lines.subList(0, lines.size() - 1)) {
            assertTrue(PROGRESS.matcher(l).lookingAt(), "only progress lines before the error, not '" + l + "'\n" + this);
        }
    }

    /** What scripts/kvm-lab prints while it prepares and boots the lab. */
    static final Pattern PROGRESS = Pattern.compile("kvm-lab: (downloading|building|booting|kvm-amd ready)");

    @Override
    public String toString() {
        return "status " + status + " after " + took.toSeconds() + " s\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
