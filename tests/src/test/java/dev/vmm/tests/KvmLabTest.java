package dev.vmm.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * scripts/kvm-lab, the nested kvm-amd lab under QEMU TCG: a command runs there on a standard KVM
 * with its arguments and status intact, and every way the lab can fail is one line on stderr and a
 * non-zero status, with no QEMU left behind. Each lab boot costs 10-30 s on 2 cores (a JVM in it
 * about 20 s more), so the successful checks share one boot.
 */
class KvmLabTest {
    @TempDir
    Path tmp;

    @Test
    void commandSeesKvmAmdAndKeepsItsArgumentsOutputAndStatus() throws IOException {
        KvmLabRun.requireQemu();
        Path probe = Path.of("target", "kvm-lab-probe.txt").toAbsolutePath();
        Files.deleteIfExists(probe);
        String script = "./vmm doctor; printf '<%s>\\n' \"$@\"; echo \"probe=$VMM_LAB_PROBE home=$HOME\";"
                + " echo written-in-the-lab > tests/target/kvm-lab-probe.txt; echo to-stderr >&2; exit 7";
        KvmLabRun r = KvmLabRun.run(900, Map.of("VMM_LAB_PROBE", "a 'b' \"c\""), List.of("--timeout", "840"),
                "sh", "-c", script, "sh", "two words", "it's", "\"double\"", "$HOME;*", "");
        System.out.println("kvm-lab: ./vmm doctor and the argument checks took " + r.took().toSeconds() + " s");
        assertEquals(7, r.status(), r.toString());
        assertTrue(r.stdout().contains("KVM flavour:\n  kvm-amd: "), "vmm doctor sees kvm-amd\n" + r);
        assertTrue(r.stdout().contains("verdict: the VMM can run here"), r.toString());
        assertTrue(r.stdout().contains("<two words>\n<it's>\n<\"double\">\n<$HOME;*>\n<>\n"), "arguments arrive exactly\n" + r);
        assertTrue(r.stdout().contains("probe=a 'b' \"c\" home=/tmp/home\n"), "VMM_* variables pass through\n" + r);
        assertFalse(r.stdout().contains("\r"), "no CR added to the command's output\n" + r);
        assertTrue(r.stderr().contains("\nto-stderr\n"), "the command's stderr reaches stderr\n" + r);
        assertTrue(r.stderrLines().get(0).startsWith("kvm-lab: booting the lab"), r.toString());
        assertEquals("written-in-the-lab\n", Files.readString(probe), "the checkout is writable from the lab");
    }

    @Test
    void timeoutIsOneLineAndLeavesNoQemu() throws IOException {
        KvmLabRun.requireQemu();
        // The run directory goes under TMPDIR, and QEMU's command line names it: a marker for leftovers.
        KvmLabRun r = KvmLabRun.run(120, Map.of("TMPDIR", tmp.toString()), List.of("--timeout", "6"), "sleep", "600");
        r.assertOneLineError(124, "timeout: the command did not end within 6 s");
        List<String> left = ProcessHandle.allProcesses()
                .map(h -> h.info().commandLine().orElse(""))
                .filter(c -> c.contains(tmp.toString())).toList();
        assertEquals(List.of(), left, "nothing of the lab is left running");
        try (var entries = Files.list(tmp)) {
            assertEquals(List.of(), entries.toList(), "the run directory is removed");
        }
    }

    @Test
    void kvmAmdThatCannotLoadIsOneLineError() {
        KvmLabRun.requireQemu();
        KvmLabRun r = KvmLabRun.run(300, Map.of("VMM_KVM_LAB_CPU", "max,-svm"), List.of("--timeout", "240"), "true");
        r.assertOneLineError(125, "kvm_amd did not load: kvm: no hardware support for 'kvm_amd'");
    }

    @Test
    void missingQemuIsOneLineError() {
        KvmLabRun r = KvmLabRun.run(60, Map.of("VMM_KVM_LAB_QEMU", tmp.resolve("qemu-system-x86_64").toString()), List.of(), "true");
        r.assertOneLineError(125, "QEMU not found");
    }

    @Test
    void kernelPackageThatCannotBeHadIsOneLineError() {
        KvmLabRun.requireQemu();
        KvmLabRun r = KvmLabRun.run(120, Map.of("VMM_KVM_LAB_KERNEL_PACKAGE", "linux-image-0.0.0-0-amd64",
                "VMM_KVM_LAB_CACHE", tmp.toString()), List.of(), "true");
        r.assertOneLineError(125, "cannot download the kernel package linux-image-0.0.0-0-amd64");
    }

    @Test
    void badLabOptionsAreOneLineErrors() {
        KvmLabRun.run(30, Map.of(), List.of("--smp", "two"), "true").assertOneLineError(2, "--smp wants a vCPU count");
        KvmLabRun.run(30, Map.of(), List.of("--timeout", "0"), "true").assertOneLineError(2, "--timeout wants whole seconds");
        KvmLabRun.run(30, Map.of(), List.of("-m", "lots"), "true").assertOneLineError(2, "-m wants a size");
        KvmLabRun.run(30, Map.of(), List.of("--bogus"), "true").assertOneLineError(2, "unexpected argument '--bogus'");
        KvmLabRun.run(30, Map.of(), List.of()).assertOneLineError(2, "no COMMAND given");
    }
}
