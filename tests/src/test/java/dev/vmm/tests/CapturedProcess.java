package dev.vmm.tests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A command run as a user would run it from a terminal with nothing on stdin: its status, everything
 * it printed on stdout and stderr, and how long it took. Output goes to files, not pipes, so a
 * command that prints a lot can never block on a full pipe while we wait for it.
 */
record CapturedProcess(int status, String stdout, String stderr, Duration took) {

    /**
     * Runs {@code command} in {@code directory} with {@code env} added to ours. If it has not ended
     * after {@code waitSeconds} it gets SIGTERM (so scripts can clean up, e.g. kvm-lab stops QEMU),
     * then, 20 s later, it and its descendants are killed, and the test fails with the output so far.
     */
    static CapturedProcess run(long waitSeconds, Path directory, Map<String, String> env, List<String> command) {
        long start = System.nanoTime();
        try {
            Path out = Files.createTempFile("vmm-test-out", ".txt");
            Path err = Files.createTempFile("vmm-test-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(waitSeconds, TimeUnit.SECONDS)) {
                    p.destroy();
                    if (!p.waitFor(20, TimeUnit.SECONDS)) {
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                    }
                    fail(String.join(" ", command) + " did not end in " + waitSeconds + " s; output so far:\n"
                            + Files.readString(out) + "--- stderr\n" + Files.readString(err));
                }
                return new CapturedProcess(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The non-blank stderr lines, for asserting what an error printed. */
    List<String> stderrLines() {
        return stderr.lines().filter(l -> !l.isBlank()).toList();
    }

    @Override
    public String toString() {
        return "status " + status + " after " + took.toMillis() + " ms\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
