package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The restated QEMU 7.2 model table: names, aliases, identities and a few flags per family. */
class X86CpuDefinitionsTest {
    private static X86CpuDefinition model(String name) {
        return X86CpuDefinitions.find(name).orElseThrow(() -> new AssertionError(name));
    }

    private static boolean has(X86CpuDefinition d, String flag) {
        return d.has(X86Feature.byName(flag).orElseThrow());
    }

    @Test
    void everyFamilyHarnessesUseIsThere() {
        for (String n : List.of("qemu64", "qemu32", "kvm64", "kvm32", "Conroe", "Penryn", "Nehalem", "Westmere",
                "SandyBridge", "IvyBridge", "Haswell", "Haswell-noTSX", "Broadwell", "Broadwell-noTSX",
                "Skylake-Client", "Skylake-Server", "Cascadelake-Server", "Icelake-Server", "Opteron_G1",
                "Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5", "EPYC", "EPYC-Rome", "IvyBridge-v2",
                "Skylake-Server-v4", "Cascadelake-Server-noTSX")) {
            assertTrue(CpuModelSpec.known(n), n);
        }
        // QEMU's names are case-sensitive, and host/max are not table models
        assertFalse(X86CpuDefinitions.find("ivybridge").isPresent());
        assertFalse(X86CpuDefinitions.find("host").isPresent());
    }

    @Test
    void ivyBridgeAsQemuDefinesIt() {
        X86CpuDefinition d = model("IvyBridge");
        assertEquals("IvyBridge-v1", d.name());
        assertEquals("GenuineIntel", d.vendor());
        assertEquals(List.of(6, 58, 9), List.of(d.family(), d.model(), d.stepping()));
        assertEquals(0xd, d.level());
        assertEquals(0x80000008, d.xlevel());
        assertEquals("Intel Xeon E3-12xx v2 (Ivy Bridge)", d.modelId());
        for (String f : List.of("vme", "sse2", "pni", "avx", "f16c", "rdrand", "x2apic", "tsc-deadline", "lahf-lm",
                "rdtscp", "xsaveopt")) {
            assertTrue(has(d, f), f);
        }
        int ebx7 = X86Feature.byName("fsgsbase").orElseThrow().mask() | X86Feature.byName("smep").orElseThrow().mask()
                | X86Feature.byName("erms").orElseThrow().mask();
        assertEquals(ebx7, d.word(X86FeatureWord.CPUID_7_0_EBX));
        assertFalse(has(d, "avx2"));
        assertFalse(has(d, "pdpe1gb"));
    }

    @Test
    void versionsDifferWhereQemusDo() {
        assertTrue(has(model("Haswell"), "hle") && has(model("Haswell"), "rtm"));
        assertFalse(has(model("Haswell-noTSX"), "hle") || has(model("Haswell-noTSX"), "rtm"));
        assertEquals("Haswell-v2", model("Haswell-noTSX").name());
        assertFalse(has(model("IvyBridge-v1"), "spec-ctrl"));
        assertTrue(has(model("IvyBridge-IBRS"), "spec-ctrl"));
        assertTrue(has(model("Skylake-Server"), "avx512f") && has(model("Skylake-Server"), "pku"));
        assertFalse(has(model("Skylake-Client"), "avx512f"));
        assertTrue(has(model("Cascadelake-Server"), "avx512vnni"));
        assertFalse(has(model("Cascadelake-Server-v1"), "arch-capabilities"));
        assertTrue(has(model("Cascadelake-Server-v2"), "arch-capabilities"));
        assertTrue(has(model("Icelake-Server"), "avx512vbmi2") && has(model("Icelake-Server"), "vaes"));
    }

    @Test
    void amdModels() {
        X86CpuDefinition g1 = model("Opteron_G1");
        assertEquals("AuthenticAMD", g1.vendor());
        assertEquals(List.of(15, 6, 1), List.of(g1.family(), g1.model(), g1.stepping()));
        assertEquals(5, g1.level());
        assertTrue(has(g1, "pni"));
        assertFalse(has(g1, "cx16"));
        assertTrue(has(model("Opteron_G2"), "cx16"));
        assertTrue(has(model("Opteron_G3"), "svm") && has(model("Opteron_G3"), "sse4a"));
        assertTrue(has(model("Opteron_G5"), "fma4") && has(model("Opteron_G5"), "tbm"));
        X86CpuDefinition epyc = model("EPYC");
        assertEquals(List.of(23, 1, 2), List.of(epyc.family(), epyc.model(), epyc.stepping()));
        assertEquals("AMD EPYC Processor", epyc.modelId());
        assertEquals(0x8000001e, epyc.xlevel());
        X86CpuDefinition rome = model("EPYC-Rome");
        assertEquals(49, rome.model());
        assertTrue(has(rome, "clwb") && has(rome, "umip") && has(rome, "rdpid"));
    }

    @Test
    void thirtyTwoBitModels() {
        X86CpuDefinition q32 = model("qemu32");
        assertEquals(4, q32.level());
        assertEquals(0x80000004, q32.xlevel());
        assertFalse(has(q32, "lm"));
        assertFalse(has(model("kvm32"), "lm"));
        assertTrue(has(model("kvm64"), "lm"));
        assertEquals("AuthenticAMD", model("qemu64").vendor());
        assertEquals("GenuineIntel", model("kvm64").vendor());
    }

    @Test
    void microvmTakesTheLatestVersion() {
        assertEquals("IvyBridge-v2", X86CpuDefinitions.latestVersion("IvyBridge"));
        assertEquals("Cascadelake-Server-v5", X86CpuDefinitions.latestVersion("Cascadelake-Server"));
        assertEquals("qemu64-v1", X86CpuDefinitions.latestVersion("qemu64"));
        // versioned names and QEMU's fixed aliases stay what they are
        assertEquals("Haswell-noTSX", X86CpuDefinitions.latestVersion("Haswell-noTSX"));
        assertEquals("IvyBridge-v1", X86CpuDefinitions.latestVersion("IvyBridge-v1"));
        assertEquals("host", X86CpuDefinitions.latestVersion("host"));
        assertEquals("EPYC-v3,+kvm-pv-ipi,model-id=a,,b", X86CpuDefinitions.withLatestVersion("EPYC,+kvm-pv-ipi,model-id=a,,b"));
    }

    @Test
    void helpListsAsQemu72() {
        Map<String, String> help = X86CpuDefinitions.helpLines();
        assertEquals("(alias configured by machine type)", help.get("IvyBridge"));
        assertEquals("(alias of Haswell-v2)", help.get("Haswell-noTSX"));
        assertEquals("Intel Xeon Processor (Cascadelake) [ARCH_CAPABILITIES]", help.get("Cascadelake-Server-v2"));
        assertEquals("AMD Opteron 240 (Gen 1 Class Opteron)", help.get("Opteron_G1-v1"));
        List<String> names = List.copyOf(help.keySet());
        // byte order: upper case before lower case, as QEMU prints them
        assertTrue(names.indexOf("Westmere-v2") < names.indexOf("athlon"));
        assertEquals("486", names.get(0));
    }
}
