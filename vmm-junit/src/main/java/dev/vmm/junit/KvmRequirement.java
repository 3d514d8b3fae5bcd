package dev.vmm.junit;

import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A test that boots a guest needs {@code /dev/kvm}. Where it is missing the test is skipped with
 * a message, unless the environment has {@code VMM_REQUIRE_KVM=1} (set it in CI wherever
 * {@code /dev/kvm} exists): then it fails, so a skipped KVM test never passes for a proof.
 */
public final class KvmRequirement {
    /** The environment variable that turns a skip into a failure. */
    public static final String REQUIRE_KVM = "VMM_REQUIRE_KVM";

    private KvmRequirement() {
    }

    /**
     * Skips (aborts) the current test without {@code /dev/kvm}, or fails it under {@code VMM_REQUIRE_KVM=1}.
     */
    public static void check() {
        check(Path.of("/dev/kvm"), System::getenv);
    }

    static void check(Path device, Function<String, String> environment) {
        if (Files.exists(device)) {
            return;
        }
        if ("1".equals(environment.apply(REQUIRE_KVM))) {
            throw new AssertionFailedError(REQUIRE_KVM + "=1 but " + device + " does not exist");
        }
        Assumptions.abort("skipped: " + device + " is missing on this machine (set " + REQUIRE_KVM
                + "=1 to make this a failure)");
    }
}
