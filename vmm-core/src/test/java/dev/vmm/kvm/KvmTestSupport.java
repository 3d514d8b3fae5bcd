package dev.vmm.kvm;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Shared guard: skip KVM tests without /dev/kvm, unless VMM_REQUIRE_KVM=1 demands they run. */
public final class KvmTestSupport {
    private KvmTestSupport() {}

    public static void requireKvm() {
        if (Files.exists(Path.of(Kvm.DEFAULT_PATH))) {
            return;
        }
        String msg = "/dev/kvm is missing: KVM tests cannot run on this machine";
        if ("1".equals(System.getenv("VMM_REQUIRE_KVM"))) {
            fail(msg + " (and VMM_REQUIRE_KVM=1 requires them)");
        }
        Assumptions.assumeTrue(false, msg + " - skipped (set VMM_REQUIRE_KVM=1 to make this a failure)");
    }
}
