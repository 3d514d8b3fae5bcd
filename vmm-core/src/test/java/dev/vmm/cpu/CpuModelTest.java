package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuModelTest {
    private static final int DEFAULTS = 0x0100007B; // bits 0,1,3,4,5,6,24

    private static CpuModel resolve(String spec) {
        return CpuModel.resolve(spec, TestHosts.full(), IrqchipMode.ON);
    }

    @Test
    void namedModelsTakeKvmDefaults() {
        for (String m : List.of("kvm64", "qemu64")) {
            CpuModel c = resolve(m);
            assertEquals(DEFAULTS, c.eax(), m);
            assertEquals(0, c.edx());
            assertTrue(c.kvmLeaves());
            assertTrue(c.x2apic());
            assertTrue(c.warnings().isEmpty());
            assertEquals(EnumSet.of(PvFeature.KVMCLOCK, PvFeature.NOPIODELAY, PvFeature.ASYNCPF,
                    PvFeature.STEAL_TIME, PvFeature.PV_EOI, PvFeature.KVMCLOCK_STABLE_BIT), c.features());
        }
    }

    @Test
    void optionsApply() {
        CpuModel c = resolve("kvm64,+kvm-pv-ipi,-kvmclock,kvm_pv_eoi=off,kvm-poll-control");
        int expect = (DEFAULTS & ~0x9 & ~(1 << 6)) | (1 << 11) | (1 << 12);
        assertEquals(expect, c.eax());
    }

    @Test
    void plusMinusWinOverAssignment() {
        CpuModel c = resolve("kvm64,-kvm-pv-eoi,kvm-pv-eoi=on,kvm-pv-ipi=off,+kvm-pv-ipi");
        assertEquals(0, c.eax() & (1 << 6));
        assertNotEquals(0, c.eax() & (1 << 11));
        assertEquals(2, c.warnings().size());
        assertTrue(c.warnings().get(0).startsWith("warning: Ambiguous CPU model string."));
    }

    @Test
    void laterAssignmentWins() {
        assertEquals(0, resolve("kvm64,kvm-pv-ipi=on,kvm-pv-ipi=off").eax() & (1 << 11));
        assertNotEquals(0, resolve("kvm64,kvm-pv-ipi=off,kvm-pv-ipi").eax() & (1 << 11));
    }

    @Test
    void hostTakesEveryHostBitButNoHint() {
        CpuModel c = CpuModel.resolve("host", TestHosts.full(), IrqchipMode.ON);
        assertEquals(TestHosts.FULL_KVM_EAX, c.eax());
        assertEquals(0, c.edx());
        assertTrue(c.warnings().isEmpty());
        assertEquals(c.eax(), CpuModel.resolve("max", TestHosts.full(), IrqchipMode.ON).eax());
        // a host without schedstats lacks steal time; host model follows silently
        CpuModel noSteal = CpuModel.resolve("host", TestHosts.host(TestHosts.FULL_KVM_EAX & ~(1 << 5), true),
                IrqchipMode.ON);
        assertEquals(0, noSteal.eax() & (1 << 5));
        assertTrue(noSteal.warnings().isEmpty());
    }

    @Test
    void hostIgnoresBitsKvmNeverReports() {
        // even if a host list carried bit 15, only split irqchip grants it
        CpuModel c = CpuModel.resolve("host", TestHosts.host(TestHosts.FULL_KVM_EAX | (1 << 15), true),
                IrqchipMode.ON);
        assertEquals(0, c.eax() & (1 << 15));
    }

    @Test
    void splitIrqchipAddsMsiExtDestId() {
        CpuModel host = CpuModel.resolve("host", TestHosts.full(), IrqchipMode.SPLIT);
        assertEquals(TestHosts.FULL_KVM_EAX | (1 << 15), host.eax());
        CpuModel named = CpuModel.resolve("kvm64", TestHosts.full(), IrqchipMode.SPLIT);
        assertEquals(DEFAULTS | (1 << 15), named.eax());
        assertTrue(named.features().contains(PvFeature.MSI_EXT_DEST_ID));
        assertEquals(DEFAULTS, CpuModel.resolve("kvm64,-kvm-msi-ext-dest-id", TestHosts.full(),
                IrqchipMode.SPLIT).eax());
    }

    @Test
    void msiExtDestIdDefaultNeedsX2apic() {
        assertEquals(DEFAULTS, CpuModel.resolve("kvm64,-x2apic", TestHosts.full(), IrqchipMode.SPLIT).eax());
        assertEquals(TestHosts.FULL_KVM_EAX,
                CpuModel.resolve("host,-x2apic", TestHosts.full(), IrqchipMode.SPLIT).eax());
        CpuModel forced = CpuModel.resolve("kvm64,-x2apic,+kvm-msi-ext-dest-id", TestHosts.full(),
                IrqchipMode.SPLIT);
        assertEquals(DEFAULTS | (1 << 15), forced.eax());
        assertTrue(forced.warnings().isEmpty());
    }

    @Test
    void msiExtDestIdWithoutSplitIsDroppedWithWarning() {
        CpuModel c = resolve("kvm64,+kvm-msi-ext-dest-id");
        assertEquals(DEFAULTS, c.eax());
        assertEquals(List.of("warning: host doesn't support requested feature: "
                + "CPUID.40000001H:EAX.kvm-msi-ext-dest-id [bit 15]"), c.warnings());
    }

    @Test
    void irqchipOffDropsPvUnhalt() {
        CpuModel host = CpuModel.resolve("host", TestHosts.full(), IrqchipMode.OFF);
        assertEquals(TestHosts.FULL_KVM_EAX & ~(1 << 7), host.eax());
        assertTrue(host.warnings().isEmpty());
        CpuModel asked = CpuModel.resolve("kvm64,+kvm-pv-unhalt", TestHosts.full(), IrqchipMode.OFF);
        assertEquals(0, asked.eax() & (1 << 7));
        assertEquals(List.of("warning: host doesn't support requested feature: "
                + "CPUID.40000001H:EAX.kvm-pv-unhalt [bit 7]"), asked.warnings());
        assertNotEquals(0, resolve("kvm64,+kvm-pv-unhalt").eax() & (1 << 7));
    }

    @Test
    void unsupportedBitDroppedWithOneWarningPerBit() {
        List<CpuidEntry> old = TestHosts.host(0x0100007B, true); // no pv-ipi, no poll-control
        CpuModel c = CpuModel.resolve("kvm64,+kvm-pv-ipi,kvm-poll-control=on", old, IrqchipMode.ON);
        assertEquals(0x0100007B, c.eax());
        assertEquals(List.of(
                "warning: host doesn't support requested feature: CPUID.40000001H:EAX.kvm-pv-ipi [bit 11]",
                "warning: host doesn't support requested feature: CPUID.40000001H:EAX.kvm-poll-control [bit 12]"),
                c.warnings());
    }

    @Test
    void kvmclockMissingGivesTwoWarnings() {
        CpuModel c = CpuModel.resolve("kvm64", TestHosts.host(0x01000072, true), IrqchipMode.ON);
        assertEquals(0x01000072, c.eax());
        assertEquals(2, c.warnings().size());
        assertTrue(c.warnings().get(0).endsWith("EAX.kvmclock [bit 0]"));
        assertTrue(c.warnings().get(1).endsWith("EAX.kvmclock [bit 3]"));
    }

    @Test
    void enforceMakesMissingBitsFatal() {
        List<CpuidEntry> old = TestHosts.host(0x0100007B, true);
        CpuModelException e = assertThrows(CpuModelException.class,
                () -> CpuModel.resolve("kvm64,+kvm-pv-ipi,enforce", old, IrqchipMode.ON));
        assertEquals("Host doesn't support requested features: CPUID.40000001H:EAX.kvm-pv-ipi [bit 11]",
                e.getMessage());
        assertEquals(1, e.warnings().size());
        // enforce with nothing missing is fine; check only keeps warnings
        assertTrue(CpuModel.resolve("kvm64,+kvm-pv-ipi,enforce", TestHosts.full(), IrqchipMode.ON).enforce());
        assertEquals(1, CpuModel.resolve("kvm64,+kvm-pv-ipi,check", old, IrqchipMode.ON).warnings().size());
    }

    @Test
    void hintOnlyWhenAsked() {
        assertEquals(0, CpuModel.resolve("host", TestHosts.full(), IrqchipMode.SPLIT).edx());
        CpuModel c = resolve("kvm64,+kvm-hint-dedicated");
        assertEquals(1, c.edx());
        assertEquals(DEFAULTS, c.eax());
        assertTrue(c.features().contains(PvFeature.HINT_DEDICATED));
        assertTrue(c.warnings().isEmpty());
    }

    @Test
    void kvmOffHidesEverything() {
        CpuModel c = resolve("kvm64,kvm=off,+kvm-pv-ipi,+kvm-hint-dedicated");
        assertFalse(c.kvmLeaves());
        assertEquals(0, c.eax());
        assertEquals(0, c.edx());
        assertTrue(c.features().isEmpty());
        assertTrue(c.warnings().isEmpty());
    }

    @Test
    void enforcePvCpuidIsASwitchNotABit() {
        CpuModel c = resolve("kvm64,kvm-pv-enforce-cpuid=on");
        assertTrue(c.enforcePvCpuid());
        assertEquals(DEFAULTS, c.eax());
        assertTrue(c.features().contains(PvFeature.PV_ENFORCE_CPUID));
        assertFalse(resolve("kvm64").enforcePvCpuid());
    }

    @Test
    void x2apic() {
        assertTrue(resolve("kvm64").x2apic());
        assertTrue(resolve("host").x2apic());
        assertFalse(resolve("kvm64,-x2apic").x2apic());
        assertFalse(resolve("host,x2apic=off").x2apic());
        List<CpuidEntry> noX2 = TestHosts.host(TestHosts.FULL_KVM_EAX, false);
        assertFalse(CpuModel.resolve("host", noX2, IrqchipMode.ON).x2apic());
        assertTrue(CpuModel.resolve("host", noX2, IrqchipMode.ON).warnings().isEmpty());
        CpuModel asked = CpuModel.resolve("host,+x2apic", noX2, IrqchipMode.ON);
        assertFalse(asked.x2apic());
        assertEquals(List.of("warning: host doesn't support requested feature: CPUID.01H:ECX.x2apic [bit 21]"),
                asked.warnings());
        // no in-kernel LAPIC, no x2APIC
        assertFalse(CpuModel.resolve("host", TestHosts.full(), IrqchipMode.OFF).x2apic());
        CpuModel named = CpuModel.resolve("kvm64", TestHosts.full(), IrqchipMode.OFF);
        assertFalse(named.x2apic());
        assertTrue(named.warnings().isEmpty());
        assertEquals(1, CpuModel.resolve("kvm64,+x2apic", TestHosts.full(), IrqchipMode.OFF).warnings().size());
    }
}
