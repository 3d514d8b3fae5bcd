package dev.vmm.tests;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tests that boot guests need /dev/kvm. Where it is missing they are skipped with a clear
 * message, unless VMM_REQUIRE_KVM=1 (CI sets it whenever /dev/kvm exists): then they fail, so
 * a skipped KVM test can never pass for a proof.
 */
final class RequiresKvm {
    private RequiresKvm() {
    }

    static void check() {
        boolean present = Files.exists(Path.of("/dev/kvm"));
        if (!present) {
            if ("1".equals(System.getenv("VMM_REQUIRE_KVM"))) {
                fail("VMM_REQUIRE_KVM=1 but /dev/kvm does not exist");
            }
            Assumptions.abort("skipped: /dev/kvm is missing on this machine (set VMM_REQUIRE_KVM=1 to make this a failure)");
        }
    }

    static Path testKernel() {
        Path p = Path.of(System.getProperty("vmm.pvtest", "../guest-images/target/pvtest.elf"));
        if (!Files.isRegularFile(p)) {
            fail("test kernel " + p + " was not built (run the build from the repository root: mvn verify)");
        }
        return p;
    }
}
