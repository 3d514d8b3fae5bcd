package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuModelSpecTest {
    @Test
    void parsesEveryForm() {
        CpuModelSpec s = CpuModelSpec.parse(
                "kvm64,+kvm-pv-ipi,-kvmclock,kvm_pv_eoi=off,kvm-steal-time,kvm=off,enforce,-x2apic");
        assertEquals("kvm64", s.model());
        assertFalse(s.hostModel());
        List<CpuOption> o = s.options();
        assertEquals(7, o.size());
        assertEquals(new CpuOption("kvm-pv-ipi", CpuOption.Kind.PLUS, true, "+kvm-pv-ipi"), o.get(0));
        assertEquals(new CpuOption("kvmclock", CpuOption.Kind.MINUS, false, "-kvmclock"), o.get(1));
        assertEquals(new CpuOption("kvm-pv-eoi", CpuOption.Kind.ASSIGN, false, "kvm_pv_eoi=off"), o.get(2));
        assertEquals(new CpuOption("kvm-steal-time", CpuOption.Kind.ASSIGN, true, "kvm-steal-time"), o.get(3));
        assertEquals("kvm", o.get(4).name());
        assertFalse(o.get(4).on());
        assertEquals("enforce", o.get(5).name());
        assertEquals(new CpuOption("x2apic", CpuOption.Kind.MINUS, false, "-x2apic"), o.get(6));
        assertTrue(s.warnings().isEmpty());
    }

    @Test
    void models() {
        assertTrue(CpuModelSpec.parse("host").hostModel());
        assertTrue(CpuModelSpec.parse("max").hostModel());
        assertFalse(CpuModelSpec.parse("qemu64").hostModel());
        CpuModelException e = assertThrows(CpuModelException.class, () -> CpuModelSpec.parse("foo,+kvm-pv-ipi"));
        assertEquals("unable to find CPU model 'foo'", e.getMessage());
    }

    @Test
    void unknownOptionSuggestsClosest() {
        CpuModelException e = assertThrows(CpuModelException.class,
                () -> CpuModelSpec.parse("kvm64,+kvm-pv-ip"));
        assertEquals("unknown -cpu option 'kvm-pv-ip' (did you mean 'kvm-pv-ipi'?)", e.getMessage());
        e = assertThrows(CpuModelException.class, () -> CpuModelSpec.parse("host,kvmclok=on"));
        assertEquals("unknown -cpu option 'kvmclok' (did you mean 'kvmclock'?)", e.getMessage());
        e = assertThrows(CpuModelException.class, () -> CpuModelSpec.parse("host,enforc"));
        assertEquals("unknown -cpu option 'enforc' (did you mean 'enforce'?)", e.getMessage());
    }

    @Test
    void badValue() {
        CpuModelException e = assertThrows(CpuModelException.class,
                () -> CpuModelSpec.parse("kvm64,kvm-pv-ipi=yes"));
        assertEquals("Parameter 'kvm-pv-ipi' expects 'on' or 'off'", e.getMessage());
    }

    @Test
    void ambiguityWarning() {
        CpuModelSpec s = CpuModelSpec.parse("kvm64,-kvmclock,kvmclock=on,+kvm_pv_ipi,kvm-pv-ipi=off");
        assertEquals(List.of(
                "warning: Ambiguous CPU model string. Don't mix both \"-kvmclock\" and \"kvmclock=on\"",
                "warning: Ambiguous CPU model string. Don't mix both \"+kvm-pv-ipi\" and \"kvm-pv-ipi=off\""),
                s.warnings());
        // the order on the line does not matter for the warning
        assertEquals(1, CpuModelSpec.parse("kvm64,kvmclock=on,-kvmclock").warnings().size());
    }

    @Test
    void trailingCommaIgnored() {
        assertTrue(CpuModelSpec.parse("kvm64,").options().isEmpty());
    }

    @Test
    void levenshtein() {
        assertEquals(0, CpuModelSpec.levenshtein("abc", "abc"));
        assertEquals(1, CpuModelSpec.levenshtein("kvm-pv-ip", "kvm-pv-ipi"));
        assertEquals(3, CpuModelSpec.levenshtein("kitten", "sitting"));
    }
}
