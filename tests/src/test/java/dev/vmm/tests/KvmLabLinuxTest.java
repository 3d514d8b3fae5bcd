package dev.vmm.tests;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A stock Linux guest to /init on a standard KVM: Debian's generic kernel and the project's busybox
 * initramfs under {@code ./vmm run} inside the kvm-lab, booted with {@code -cpu host} and with
 * {@code -cpu host,-kvmclock} ({@code tests/lab/linux-to-init.sh} makes the checks: vmm exits 0,
 * /init's lines reach the console, kvm-clock chosen or not, the kernel's PV set-up lines, every
 * vCPU's PV MSRs from the host). This host's kvm-pvm cannot run a stock kernel at all, so the lab
 * is the only place this can be shown. Measured on a 2-core machine: 4-5 minutes.
 */
class KvmLabLinuxTest {
    /** Lab boot plus two Linux boots of ~95 s each under TCG-emulated SVM, with room for a loaded machine. */
    private static final int LAB_TIMEOUT_SECONDS = 900;

    @Test
    void debianKernelReachesInitUnderVmmInTheLab() throws Exception {
        KvmLabRun.requireQemu();
        Path root = Path.of("..").toAbsolutePath().normalize();
        Files.createDirectories(root.resolve("target"));
        String initrd = "target/lab-linux-init.cpio.gz"; // relative: the lab runs the command from the checkout's root
        CapturedProcess build = CapturedProcess.run(600, root, Map.of(),
                List.of(root.resolve("guest-images/initramfs/build.sh").toString(), initrd));
        assertEquals(0, build.status(), "the busybox initramfs builds (guest-images/initramfs/build.sh)\n" + build);

        KvmLabRun r = KvmLabRun.run(LAB_TIMEOUT_SECONDS + 60, Map.of(),
                List.of("--timeout", String.valueOf(LAB_TIMEOUT_SECONDS)), "tests/lab/linux-to-init.sh", initrd);
        r.stdout().lines().filter(l -> l.startsWith("=== /init after") || l.startsWith("=== vmm status")
                || l.startsWith("=== boot")).forEach(l -> System.out.println("kvm-lab linux-to-init: " + l));
        assertNotEquals(124, r.status(), "the lab timed out\n" + r);
        assertNotEquals(125, r.status(), "the lab itself failed\n" + r);
        List<String> failed = r.stdout().lines().filter(l -> l.startsWith("=== FAIL")).toList();
        assertEquals(List.of(), failed, r.toString());
        assertTrue(r.stdout().contains("=== ok: vmm exits 0"), r.toString());
        assertTrue(r.stdout().lines().anyMatch(l -> l.equals("=== linux-to-init: PASS")), r.toString());
        assertEquals(0, r.status(), r.toString());
    }
}
