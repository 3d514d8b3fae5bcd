package dev.vmm.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class KvmRequirementTest {
    @TempDir
    Path dir;

    @Test
    void missingDeviceSkips() {
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> KvmRequirement.check(dir.resolve("kvm"), Map.<String, String>of()::get));
        assertTrue(e.getMessage().contains("is missing"), e.getMessage());
    }

    @Test
    void missingDeviceFailsWhenRequired() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> KvmRequirement.check(dir.resolve("kvm"), Map.of("VMM_REQUIRE_KVM", "1")::get));
        assertTrue(e.getMessage().startsWith("VMM_REQUIRE_KVM=1 but "), e.getMessage());
    }

    @Test
    void presentDevicePasses() throws IOException {
        Path kvm = Files.createFile(dir.resolve("kvm"));
        assertDoesNotThrow(() -> KvmRequirement.check(kvm, Map.of("VMM_REQUIRE_KVM", "1")::get));
    }
}
