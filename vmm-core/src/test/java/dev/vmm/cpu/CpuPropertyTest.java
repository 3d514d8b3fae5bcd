package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** QEMU's valued -cpu properties and the switches vmm refuses, parsed before any host is asked. */
class CpuPropertyTest {
    private static String error(String spec) {
        return assertThrows(CpuModelException.class, () -> CpuModelSpec.parse(spec)).getMessage();
    }

    @Test
    void valuesAreKeptAsWritten() {
        CpuModelSpec s = CpuModelSpec.parse("IvyBridge,vendor=AuthenticAMD,family=0x17,model=1,stepping=2,"
                + "level=7,xlevel=0x80000008,model-id=My CPU,phys_bits=42,+avx2");
        assertEquals("AuthenticAMD", s.properties().get(CpuProperty.VENDOR));
        assertEquals("0x17", s.properties().get(CpuProperty.FAMILY));
        assertEquals("My CPU", s.properties().get(CpuProperty.MODEL_ID));
        assertEquals("42", s.properties().get(CpuProperty.PHYS_BITS));
        assertEquals(List.of("avx2"), s.options().stream().map(CpuOption::name).toList());
        assertEquals("1", CpuModelSpec.parse("kvm64,model=2,model=1").properties().get(CpuProperty.MODEL));
        // QEMU's ",," is a comma inside a value
        CpuModelSpec comma = CpuModelSpec.parse("kvm64,model-id=Foo,, Inc.,+kvm-pv-ipi");
        assertEquals("Foo, Inc.", comma.properties().get(CpuProperty.MODEL_ID));
        assertEquals(List.of("kvm-pv-ipi"), comma.options().stream().map(CpuOption::name).toList());
    }

    @Test
    void qemusRangesAndMessages() {
        assertEquals("Property .family doesn't take value 300 (minimum: 0, maximum: 270)", error("kvm64,family=300"));
        assertEquals("Property .stepping doesn't take value 16 (minimum: 0, maximum: 15)", error("kvm64,stepping=16"));
        assertEquals("Property '.vendor' doesn't take value 'Intel'", error("kvm64,vendor=Intel"));
        assertEquals("phys-bits should be between 32 and 52 (but is 60)", error("kvm64,phys-bits=60"));
        assertEquals("Parameter 'level' expects an integer", error("kvm64,level=high"));
        assertEquals("-cpu option 'family' needs a value (family=...)", error("kvm64,family"));
    }

    @Test
    void booleanPropertiesTakeOnOff() {
        CpuModelSpec s = CpuModelSpec.parse("host,pmu=off,migratable=on,host-phys-bits");
        assertFalse(s.flag("pmu", true));
        assertTrue(s.flag("migratable", false));
        assertTrue(s.flag("host-phys-bits", false));
        assertEquals("Parameter 'pmu' expects 'on' or 'off'", error("host,pmu=maybe"));
    }

    @Test
    void unsupportedKinAreOneLine() {
        assertTrue(error("EPYC,+npt").startsWith("-cpu option 'npt' is not supported: vmm does not model CPUID 0x8000000A"));
        assertTrue(error("EPYC,nrip_save=on").startsWith("-cpu option 'nrip_save' is not supported"));
        assertTrue(error("host,vmx-ept=on").startsWith("-cpu option 'vmx-ept' is not supported"));
        assertTrue(error("host,hv_relaxed").contains("Hyper-V"));
        assertEquals(List.of("svm", "vmx"), CpuModelSpec.parse("host,+svm,vmx=on").options().stream()
                .map(CpuOption::name).toList());
        assertEquals("unable to find CPU model 'ivybridge'", error("ivybridge"));
    }
}
