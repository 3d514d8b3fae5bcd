package dev.vmm.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the Linux boot tests share: Debian's cloud kernel (fetched, not installed, by
 * scripts/fetch-debian-kernel into target/debian-kernel, which caches it), the busybox initramfs
 * (guest-images/initramfs/build.sh), the command line, and the check that the kernel found KVM
 * and kvmclock before it stopped. A kernel that cannot be fetched fails the test (no skip): the
 * fetch script needs only apt, which scripts/setup guarantees.
 */
final class DebianKernel {
    /** earlyprintk: ttyS0 only starts printing after the serial driver registers, later than kvm-pvm gets. */
    static final String APPEND = "console=ttyS0 earlyprintk=ttyS0 reboot=k panic=-1";
    /** Beyond the guest's --timeout: JVM start and loading a 50 MiB kernel, on a loaded 2-core machine. */
    private static final int PROCESS_MARGIN_SECONDS = 60;

    private DebianKernel() {
    }

    /** Runs a repository script from the repository root and returns its stdout; it must succeed. */
    static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(Path.of("..").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    /** The bzImage (vmlinuz) as Debian ships it. */
    static Path bzImage() throws IOException, InterruptedException {
        return fetch("scripts/fetch-debian-kernel", "target/debian-kernel");
    }

    /** The uncompressed vmlinux cut out of the bzImage by {@code vmm extract-vmlinux}; it has a PVH note. */
    static Path vmlinux() throws IOException, InterruptedException {
        return fetch("scripts/fetch-debian-kernel", "--vmlinux", "target/debian-kernel");
    }

    private static Path fetch(String... cmd) throws IOException, InterruptedException {
        String printed = sh(cmd);
        // The script prints the path last; relative paths are relative to the repository root.
        Path p = Path.of("..").resolve(printed.lines().reduce((a, b) -> b).orElseThrow()).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(p), p.toString());
        return p;
    }

    /** Builds the busybox initramfs whose /init reports the clocksource and powers off. */
    static Path initrd() throws IOException, InterruptedException {
        Path initrd = Path.of("..", "target", "busybox-initramfs.cpio.gz").toAbsolutePath().normalize();
        sh("guest-images/initramfs/build.sh", initrd.toString());
        return initrd;
    }

    /** {@code vmm run} of {@code kernel} with the initramfs, 512 MiB and {@link #APPEND}, stopped after {@code timeout} s. */
    static VmmProcess boot(Path kernel, Path initrd, int timeout, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--kernel", kernel.toString(),
                "--initrd", initrd.toString(), "-m", "512M", "--append", APPEND, "--timeout", String.valueOf(timeout)));
        args.addAll(List.of(extra));
        return VmmProcess.runFor(timeout + PROCESS_MARGIN_SECONDS, args.toArray(String[]::new));
    }

    /**
     * The kernel found KVM and registered kvmclock; then either (kvm-pvm) the run stopped with
     * status 125 — an instruction the nested KVM does not emulate, reported QEMU-style with the code
     * bytes, or the --timeout — or (hardware KVM) /init ran on kvm-clock and powered off with 0.
     */
    static void assertKvmClockThenStopOrInit(VmmProcess r) {
        assertTrue(r.stdout().contains("Hypervisor detected: KVM"), r.toString());
        assertTrue(r.stdout().contains("kvm-clock: Using msrs 4b564d01 and 4b564d00"), r.toString());
        if (r.status() == 125) {
            assertTrue(r.stderr().contains("KVM internal error") || r.stderr().contains("still running"), r.toString());
            if (r.stderr().contains("KVM internal error")) {
                assertTrue(r.stderr().contains("Code="), "report shows the code bytes\n" + r);
            }
        } else {
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.stdout().contains("init: reached /init"), r.toString());
            assertTrue(r.stdout().contains("init: current_clocksource=kvm-clock"), r.toString());
        }
    }
}
