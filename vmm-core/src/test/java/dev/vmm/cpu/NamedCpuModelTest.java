package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A QEMU table model resolved against a host and written into CPUID, as QEMU 7.2 does under KVM. */
class NamedCpuModelTest {
    /** TestHosts.full() with the PMU leaf 0xA and 0x80000008 (46 physical, 48 virtual address bits). */
    private static List<CpuidEntry> host() {
        List<CpuidEntry> l = new ArrayList<>(TestHosts.full());
        l.add(2, new CpuidEntry(0xa, 0, 0, 0x07300805, 0, 0, 0x603));
        l.add(new CpuidEntry(0x80000008, 0, 0, 0x302e, 0, 0, 0));
        return l;
    }

    private static CpuidEntry leaf(List<CpuidEntry> l, int f) {
        return TestHosts.leaf(l, f);
    }

    private static List<CpuidEntry> compose(String spec) {
        return CpuidComposer.compose(host(), CpuModel.resolve(spec, host(), IrqchipMode.ON));
    }

    private static int mask(String... names) {
        int m = 0;
        for (String n : names) m |= X86Feature.byName(n).orElseThrow().mask();
        return m;
    }

    @Test
    void identityGoesIntoTheLeaves() {
        List<CpuidEntry> out = compose("IvyBridge");
        // vendor stays the host's (QEMU under KVM), level and signature are the model's
        CpuidEntry l0 = leaf(out, 0);
        assertEquals(0xd, l0.eax());
        assertEquals(leaf(host(), 0).ebx(), l0.ebx());
        assertEquals(0x000306a9, leaf(out, 1).eax());
        String brand = brand(out);
        assertEquals("Intel Xeon E3-12xx v2 (Ivy Bridge)", brand);
        assertEquals(0x80000008, leaf(out, 0x80000000).eax());
        // 40 physical address bits unless host-phys-bits; the host's virtual bits stay
        assertEquals(0x3028, leaf(out, 0x80000008).eax());
        assertEquals(0x302e, leaf(compose("IvyBridge,host-phys-bits=on"), 0x80000008).eax());
        assertEquals(0x302a, leaf(compose("IvyBridge,phys-bits=42"), 0x80000008).eax());
        assertEquals(0x302e, leaf(compose("host"), 0x80000008).eax());
        // pmu=off (the named models' default) hides the architectural PMU
        assertEquals(new CpuidEntry(0xa, 0, 0, 0, 0, 0, 0), leaf(out, 0xa));
        assertEquals(leaf(host(), 0xa), leaf(compose("IvyBridge,pmu=on"), 0xa));
        assertEquals(leaf(host(), 0xa), leaf(compose("host"), 0xa));
    }

    @Test
    void familyAboveFifteenUsesExtendedFamily() {
        assertEquals(0x00800f12, CpuIdentity.signature(23, 1, 2));
        assertEquals(0x00830f10, leaf(compose("EPYC-Rome"), 1).eax());
        assertEquals(0x00000f61, CpuIdentity.signature(15, 6, 1));
        assertEquals(0x00010673, leaf(compose("Penryn"), 1).eax());
    }

    @Test
    void propertiesOverrideTheModel() {
        List<CpuidEntry> out = compose("kvm64,vendor=AuthenticAMD,family=6,model=0x3a,stepping=9,model-id=Test CPU");
        assertArrayEquals(CpuIdentity.vendorWords("AuthenticAMD"),
                new int[] {leaf(out, 0).ebx(), leaf(out, 0).edx(), leaf(out, 0).ecx()});
        assertEquals(0x68747541, leaf(out, 0x80000000).ebx());
        assertEquals(0x000306a9, leaf(out, 1).eax());
        assertEquals("Test CPU", brand(out));
        // -cpu host,model-id=… changes only the brand string
        List<CpuidEntry> host = compose("host,model-id=Mine");
        assertEquals("Mine", brand(host));
        assertEquals(leaf(host(), 1).eax(), leaf(host, 1).eax());
        assertEquals(leaf(host(), 0), leaf(host, 0));
        // host,family=… keeps the host's model and stepping (0x906ea: family 6, model 0x9e, stepping 10)
        assertEquals(CpuIdentity.signature(7, 0x9e, 10), leaf(compose("host,family=7"), 1).eax());
    }

    @Test
    void levelsCutTheLeavesAndRiseForFeatures() {
        List<CpuidEntry> l1 = compose("kvm64,level=1,xlevel=0x80000000");
        assertNull(leaf(l1, 0xb));
        assertNull(leaf(l1, 0x80000001));
        assertNotNull(leaf(l1, 0x40000001), "the KVM leaves are not basic leaves");
        assertEquals(1, leaf(l1, 0).eax());
        // qemu32 is level 4 and xlevel 0x80000004; a leaf-7 flag takes level to 7 (QEMU's auto level),
        // even one the host then lacks (this one has no leaf 7), as QEMU raises it before filtering
        CpuModel q = CpuModel.resolve("qemu32", host(), IrqchipMode.ON);
        assertEquals(4, q.identity().level());
        assertEquals(0x80000004, q.identity().xlevel());
        assertEquals(7, CpuModel.resolve("qemu32,+fsgsbase", host(), IrqchipMode.ON).identity().level());
        assertEquals(5, CpuModel.resolve("qemu32,+fsgsbase,level=5", host(), IrqchipMode.ON).identity().level());
        assertNull(CpuModel.resolve("host", host(), IrqchipMode.ON).identity().level());
    }

    @Test
    void modelFlagsTheHostLacksWarnAsQemu() {
        CpuModel m = CpuModel.resolve("SandyBridge", host(), IrqchipMode.ON);
        // TestHosts leaf 1 ECX lacks bit 31 only; SandyBridge also wants 0x80000001 rdtscp and 0xD.1 xsaveopt
        assertTrue(m.warnings().contains("warning: host doesn't support requested feature: CPUID.80000001H:EDX.rdtscp [bit 27]"),
                m.warnings().toString());
        assertTrue(m.warnings().contains("warning: host doesn't support requested feature: CPUID.0DH:EAX.xsaveopt [bit 0]"),
                m.warnings().toString());
        assertFalse(m.x86().isOn(X86Feature.byName("rdtscp").orElseThrow()));
        CpuModelException e = assertThrows(CpuModelException.class,
                () -> CpuModel.resolve("SandyBridge,enforce", host(), IrqchipMode.ON));
        assertTrue(e.getMessage().startsWith("Host doesn't support requested features: "), e.getMessage());
        // a flag the model has that the host lacks can be turned off to silence it, as in QEMU
        assertFalse(CpuModel.resolve("SandyBridge,-rdtscp,-xsaveopt", host(), IrqchipMode.ON).warnings().stream()
                .anyMatch(w -> w.contains("rdtscp") || w.contains("xsaveopt")));
    }

    @Test
    void qemusKvmDefaultsOnTableModels() {
        // Opteron_G3 has svm and monitor in QEMU's table; under KVM both start off, x2apic on
        CpuModel g3 = CpuModel.resolve("Opteron_G3", host(), IrqchipMode.ON);
        assertFalse(g3.x86().isOn(X86Feature.byName("svm").orElseThrow()));
        assertFalse(g3.x86().isOn(X86Feature.byName("monitor").orElseThrow()));
        assertTrue(g3.x2apic());
        assertTrue(g3.x86().isOn(X86Feature.byName("hypervisor").orElseThrow()));
        assertEquals(0, g3.x86().word(X86FeatureWord.CPUID_1_ECX) & X86Features.PDCM_BIT);
        // +svm asks for it (this host lacks it: warned) and raises xlevel to 0x8000000A
        CpuModel svm = CpuModel.resolve("Opteron_G3,+svm", host(), IrqchipMode.ON);
        assertTrue(svm.warnings().stream().anyMatch(w -> w.endsWith("CPUID.80000001H:ECX.svm [bit 2]")));
        // host: the host's words, topoext excepted; no table identity
        CpuModel h = CpuModel.resolve("host", host(), IrqchipMode.ON);
        assertEquals(mask("syscall", "nx", "lm"), h.x86().word(X86FeatureWord.CPUID_80000001_EDX));
        assertNull(h.identity().family());
    }

    private static String brand(List<CpuidEntry> out) {
        StringBuilder sb = new StringBuilder();
        for (int f = 0x80000002; f <= 0x80000004; f++) {
            CpuidEntry e = leaf(out, f);
            for (int r : new int[] {e.eax(), e.ebx(), e.ecx(), e.edx()}) {
                for (int i = 0; i < 4; i++) {
                    char c = (char) ((r >> (8 * i)) & 0xff);
                    if (c != 0) sb.append(c);
                }
            }
        }
        return sb.toString();
    }
}
