package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    @Test
    void cpuidReportDecodesKvmLeaves() {
        CpuModel m = CpuModel.resolve("kvm64,+kvm-pv-ipi", TestHosts.full(), IrqchipMode.ON);
        String r = CpuidReport.render(CpuidComposer.compose(TestHosts.full(), m));
        assertTrue(r.contains("signature \"KVMKVMKVM\""), r);
        assertTrue(r.matches("(?s).*EAX bit 11 kvm-pv-ipi\\s+on\n.*"), r);
        assertTrue(r.matches("(?s).*EAX bit  7 kvm-pv-unhalt\\s+off\n.*"), r);
        assertTrue(r.matches("(?s).*EAX bit  3 kvmclock\\s+on\n.*"), r);
        assertTrue(r.matches("(?s).*EDX bit  0 kvm-hint-dedicated\\s+off\n.*"), r);
        assertTrue(r.matches("(?s).*ECX bit 31 hypervisor\\s+on\n.*"), r);
        assertTrue(r.contains("0x40000001 0x00 0x0100087b"), r);
    }

    @Test
    void featureTable() {
        List<CpuidEntry> host = TestHosts.host(0x0100007B, true);
        CpuModel m = CpuModel.resolve("kvm64,+kvm-pv-enforce-cpuid", host, IrqchipMode.SPLIT);
        FeatureTable t = FeatureTable.of(host, m);
        assertEquals(PvFeature.values().length, t.rows().size());
        Map<String, Object> ipi = t.toMaps().get(PvFeature.PV_IPI.ordinal());
        assertEquals("kvm-pv-ipi", ipi.get("name"));
        assertEquals("11", ipi.get("bits"));
        assertEquals(false, ipi.get("host"));
        assertEquals(false, ipi.get("enabled"));
        FeatureTable.Row msi = t.rows().get(PvFeature.MSI_EXT_DEST_ID.ordinal());
        assertTrue(msi.hostSupported());
        assertTrue(msi.defaultOn());
        assertTrue(msi.enabled());
        FeatureTable.Row enf = t.rows().get(PvFeature.PV_ENFORCE_CPUID.ordinal());
        assertNull(enf.hostSupported());
        assertTrue(enf.enabled());
        String text = t.toText();
        assertTrue(text.contains("kvmclock"), text);
        assertTrue(text.contains("(deprecated)"), text);
        String json = t.toJson();
        assertTrue(json.startsWith("[{\"name\":\"kvmclock\",\"register\":\"EAX\",\"bits\":\"0,3\",\"host\":true,"), json);
        assertTrue(json.contains("\"name\":\"kvm-pv-enforce-cpuid\",\"register\":\"-\",\"bits\":\"\",\"host\":null"), json);
        assertTrue(json.endsWith("}]"));
    }

    @Test
    void jsonEscaping() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", FeatureTable.quote("a\"b\\c\nd\u0001"));
    }
}
