package dev.vmm.pvtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** What the harness reads from the host's /sys/module, against a made-up tree. */
class HostFactsTest {
    @Test
    void apicvFromEitherModuleParameter(@TempDir Path sys) throws IOException {
        assertFalse(HostFacts.apicv(sys), "no kvm_intel/kvm_amd: no APIC virtualization");
        Files.createDirectories(sys.resolve("kvm_intel/parameters"));
        Files.writeString(sys.resolve("kvm_intel/parameters/enable_apicv"), "N\n");
        assertFalse(HostFacts.apicv(sys));
        Files.createDirectories(sys.resolve("kvm_amd/parameters"));
        Files.writeString(sys.resolve("kvm_amd/parameters/avic"), "1\n");
        assertTrue(HostFacts.apicv(sys), "AVIC on");
    }

    @Test
    void haltPollNsOrMinusOneWhenUnknown(@TempDir Path sys) throws IOException {
        assertEquals(-1, HostFacts.haltPollNs(sys), "no kvm module parameters");
        Files.createDirectories(sys.resolve("kvm/parameters"));
        Files.writeString(sys.resolve("kvm/parameters/halt_poll_ns"), "200000\n");
        assertEquals(200000, HostFacts.haltPollNs(sys));
        Files.writeString(sys.resolve("kvm/parameters/halt_poll_ns"), "x\n");
        assertEquals(-1, HostFacts.haltPollNs(sys));
    }
}
