package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** x86 flags in {@code -cpu}: what the composed CPUID table holds, and QEMU's warnings. */
class X86FeaturesTest {
    private static final int AMD_EBX = 0x68747541;
    private static final int AMD_ECX = 0x444d4163;
    private static final int AMD_EDX = 0x69746e65;

    /** TestHosts.full() plus the leaves the x86 flags live in, as a recent Intel host reports them. */
    private static List<CpuidEntry> host() {
        List<CpuidEntry> l = new ArrayList<>(TestHosts.full());
        int ebx7 = mask("fsgsbase", "bmi1", "avx2", "smep", "bmi2", "erms", "invpcid", "avx512f", "avx512dq",
                "smap", "clflushopt", "avx512cd", "avx512bw", "avx512vl");
        int ecx7 = mask("umip", "pku", "avx512vbmi2", "avx512vnni") | X86Features.OSPKE_BIT;
        int edx7 = mask("md-clear", "arch-capabilities");
        l.add(2, new CpuidEntry(0x7, 0, 1, 0, ebx7, ecx7, edx7));
        l.add(3, new CpuidEntry(0xd, 0, 1, 0x2e7, 0x988, 0x988, 0));
        l.add(4, new CpuidEntry(0xd, 1, 1, mask("xsaveopt", "xsavec", "xgetbv1", "xsaves"), 0x988, 0, 0));
        l.add(5, new CpuidEntry(0xd, 2, 1, 0x100, 0x240, 0, 0));
        l.removeIf(e -> e.function() == 0x80000001);
        l.add(new CpuidEntry(0x80000001, 0, 0, 0, 0, mask("lahf-lm", "abm", "3dnowprefetch"),
                mask("syscall", "nx", "pdpe1gb", "rdtscp", "lm") | (1 << 6)));
        return l;
    }

    /** AMD repeats fpu..fxsr of CPUID.1:EDX in 0x80000001 EDX (QEMU's CPUID_EXT2_AMD_ALIASES). */
    private static List<CpuidEntry> amdHost() {
        List<CpuidEntry> l = host();
        l.set(0, new CpuidEntry(0, 0, 0, 0xd, AMD_EBX, AMD_ECX, AMD_EDX));
        int aliases = entry(l, 1, 0).edx() & CpuidComposer.AMD_ALIASES;
        CpuidEntry ext = entry(l, 0x80000001, 0);
        l.set(l.indexOf(ext), ext.withRegisters(ext.eax(), ext.ebx(), ext.ecx(), ext.edx() | aliases));
        return l;
    }

    private static int mask(String... names) {
        int m = 0;
        for (String n : names) m |= X86Feature.byName(n).orElseThrow().mask();
        return m;
    }

    private static CpuidEntry entry(List<CpuidEntry> entries, int function, int index) {
        return entries.stream().filter(e -> e.function() == function && e.index() == index).findFirst()
                .orElseThrow(() -> new AssertionError(Integer.toHexString(function) + "." + index));
    }

    private static List<CpuidEntry> compose(String spec, List<CpuidEntry> host) {
        return CpuidComposer.compose(host, CpuModel.resolve(spec, host, IrqchipMode.ON));
    }

    /** QEMU's no_autoenable_flags: an AMD host's topoext is not in -cpu host unless asked for. */
    @Test
    void topoextOnlyWhenAskedFor() {
        List<CpuidEntry> h = amdHost();
        CpuidEntry ext = entry(h, 0x80000001, 0);
        h.set(h.indexOf(ext), ext.withRegisters(ext.eax(), ext.ebx(), ext.ecx() | mask("topoext"), ext.edx()));
        int topoext = mask("topoext");
        assertEquals(0, entry(compose("host", h), 0x80000001, 0).ecx() & topoext);
        CpuModel asked = CpuModel.resolve("host,+topoext", h, IrqchipMode.ON);
        assertEquals(List.of(), asked.warnings());
        assertEquals(topoext, entry(CpuidComposer.compose(h, asked), 0x80000001, 0).ecx() & topoext);
        assertEquals(entry(h, 0x80000001, 0).ecx() & ~topoext, entry(compose("host", h), 0x80000001, 0).ecx(),
                "nothing else in the word changes");
    }

    @Test
    void minusCx16ClearsThatBitAndNothingElse() {
        CpuModel m = CpuModel.resolve("host,-cx16", host(), IrqchipMode.ON);
        assertEquals(List.of(), m.warnings());
        List<CpuidEntry> plain = compose("host", host());
        List<CpuidEntry> out = CpuidComposer.compose(host(), m);
        assertEquals(plain.size(), out.size());
        for (int i = 0; i < out.size(); i++) {
            CpuidEntry a = plain.get(i);
            CpuidEntry b = out.get(i);
            if (a.function() == 1) {
                assertNotEquals(0, a.ecx() & (1 << 13), "the host offers cx16");
                assertEquals(a.ecx() & ~(1 << 13), b.ecx());
                assertEquals(a.withRegisters(a.eax(), a.ebx(), b.ecx(), a.edx()), b);
            } else {
                assertEquals(a, b);
            }
        }
        assertFalse(m.x86().isOn(X86Feature.byName("cx16").orElseThrow()));
        assertTrue(m.x86().hostHas(X86Feature.byName("cx16").orElseThrow()));
    }

    @Test
    void minusXsaveEmptiesLeafDAndLeavesTheRestAsQemuDoes() {
        CpuModel m = CpuModel.resolve("host,-xsave", host(), IrqchipMode.ON);
        assertEquals(List.of(), m.warnings(), "nothing dropped was asked for");
        List<CpuidEntry> out = CpuidComposer.compose(host(), m);
        CpuidEntry h1 = entry(compose("host", host()), 1, 0);
        CpuidEntry l1 = entry(out, 1, 0);
        // QEMU has no xsave -> avx dependency: avx and fma stay (Linux's cpuid-deps are the guest's business)
        assertEquals(h1.ecx() & ~mask("xsave"), l1.ecx());
        assertNotEquals(0, l1.ecx() & mask("avx", "fma"));
        CpuidEntry h7 = entry(host(), 7, 0);
        CpuidEntry l7 = entry(out, 7, 0);
        assertEquals(h7.ebx(), l7.ebx());
        assertEquals(h7.ecx() & ~X86Features.OSPKE_BIT, l7.ecx());
        assertEquals(h7.edx(), l7.edx());
        for (CpuidEntry e : out) {
            if (e.function() == 0xd) assertEquals(e.withRegisters(0, 0, 0, 0), e, "leaf 0xD is empty without XSAVE");
        }
        assertEquals(3, out.stream().filter(e -> e.function() == 0xd).count(), "sub-leaves kept, zeroed");
    }

    @Test
    void leafDStaysWhenXsaveStays() {
        List<CpuidEntry> out = compose("host,-xsaveopt", host());
        CpuidEntry d1 = entry(out, 0xd, 1);
        assertEquals(entry(host(), 0xd, 1).eax() & ~mask("xsaveopt"), d1.eax());
        assertEquals(entry(host(), 0xd, 0), entry(out, 0xd, 0));
    }

    @Test
    void anAskedForDependentIsDroppedWithQemusWarning() {
        // sgx -> sgxlc, the one pair of QEMU's feature_dependencies among these flags
        List<CpuidEntry> h = host();
        CpuidEntry e7 = entry(h, 7, 0);
        h.set(h.indexOf(e7), e7.withRegisters(e7.eax(), e7.ebx() | mask("sgx"), e7.ecx() | mask("sgxlc"), e7.edx()));
        CpuModel m = CpuModel.resolve("host,-sgx,+sgxlc", h, IrqchipMode.ON);
        assertEquals(List.of("warning: This feature depends on other features that were not requested: "
                + "CPUID.07H:ECX.sgxlc [bit 30]"), m.warnings());
        assertFalse(m.x86().isOn(X86Feature.byName("sgxlc").orElseThrow()));
        assertTrue(CpuModel.resolve("host,-sgx", h, IrqchipMode.ON).warnings().isEmpty(), "not asked for: silent");
        assertFalse(CpuModel.resolve("host,-sgx", h, IrqchipMode.ON).x86().isOn(X86Feature.byName("sgxlc").orElseThrow()));
        CpuModelException e = assertThrows(CpuModelException.class,
                () -> CpuModel.resolve("host,-sgx,+sgxlc,enforce", h, IrqchipMode.ON));
        assertEquals("Host doesn't support requested features: CPUID.07H:ECX.sgxlc [bit 30]",
                e.getMessage());
    }

    @Test
    void aFlagTheHostLacksIsDroppedWithQemusWarning() {
        CpuModel m = CpuModel.resolve("host,+avx512er,+sse4a", host(), IrqchipMode.ON);
        assertEquals(List.of("warning: host doesn't support requested feature: CPUID.07H:EBX.avx512er [bit 27]",
                "warning: host doesn't support requested feature: CPUID.80000001H:ECX.sse4a [bit 6]"), m.warnings());
        assertEquals(entry(host(), 7, 0).ebx(), entry(CpuidComposer.compose(host(), m), 7, 0).ebx());
        CpuModelException e = assertThrows(CpuModelException.class,
                () -> CpuModel.resolve("kvm64,+avx512er,enforce", host(), IrqchipMode.ON));
        assertEquals("Host doesn't support requested features: CPUID.07H:EBX.avx512er [bit 27]",
                e.getMessage());
    }

    @Test
    void crMirrorsAreNeverSetAndHypervisorIsOurs() {
        CpuidEntry host1 = entry(host(), 1, 0);
        assertNotEquals(0, host1.ecx() & X86Features.OSXSAVE_BIT, "the synthetic host has OSXSAVE set");
        assertEquals(0, host1.ecx() & HostPvSupport.HYPERVISOR_BIT, "and no hypervisor bit");
        List<CpuidEntry> out = compose("host", host());
        assertEquals(0, entry(out, 1, 0).ecx() & X86Features.OSXSAVE_BIT);
        assertEquals(0, entry(out, 7, 0).ecx() & X86Features.OSPKE_BIT);
        assertNotEquals(0, entry(out, 1, 0).ecx() & HostPvSupport.HYPERVISOR_BIT);
        assertEquals(0, entry(compose("host,-hypervisor", host()), 1, 0).ecx() & HostPvSupport.HYPERVISOR_BIT);
        // +hypervisor never warns: vmm provides it whatever KVM reports
        assertEquals(List.of(), CpuModel.resolve("host,+hypervisor", host(), IrqchipMode.ON).warnings());
    }

    @Test
    void qemuApplyOrder() {
        // feat=value first, then every +feat, then every -feat, whatever the order on the line.
        CpuModel plusWins = CpuModel.resolve("host,+cx16,cx16=off", host(), IrqchipMode.ON);
        assertTrue(plusWins.x86().isOn(X86Feature.byName("cx16").orElseThrow()));
        assertEquals(List.of("warning: Ambiguous CPU model string. Don't mix both \"+cx16\" and \"cx16=off\""),
                plusWins.warnings());
        assertFalse(CpuModel.resolve("host,-cx16,+cx16", host(), IrqchipMode.ON).x86()
                .isOn(X86Feature.byName("cx16").orElseThrow()));
        assertTrue(CpuModel.resolve("host,cx16=off,cx16=on", host(), IrqchipMode.ON).x86()
                .isOn(X86Feature.byName("cx16").orElseThrow()));
    }

    @Test
    void namedModelsTakeTheFlagsToo() {
        // kvm64 is QEMU's syscall, nx, lm in 0x80000001 EDX and nothing in ECX, whatever the host has more
        List<CpuidEntry> out = compose("kvm64,-nx,+lahf_lm", host());
        CpuidEntry e = entry(out, 0x80000001, 0);
        assertEquals(mask("syscall") | mask("lm"), e.edx());
        assertEquals(mask("lahf-lm"), e.ecx());
        assertEquals(0, entry(compose("kvm64", host()), 0x80000001, 0).ecx());
    }

    @Test
    void onAmdTheAliasedEdxBitsFollowLeaf1() {
        int pae = mask("pae");
        CpuidEntry amd = entry(compose("host,-pae", amdHost()), 0x80000001, 0);
        assertEquals(entry(amdHost(), 0x80000001, 0).edx() & ~pae, amd.edx());
        assertEquals(0, entry(compose("host,-pae", amdHost()), 1, 0).edx() & pae);
        // Intel: 0x80000001 EDX is its own word
        CpuidEntry intel = entry(compose("host,-pae", host()), 0x80000001, 0);
        assertEquals(entry(host(), 0x80000001, 0).edx(), intel.edx());
    }

    @Test
    void x86FeatureTableFollowsTheModel() {
        CpuModel m = CpuModel.resolve("host,-cx16", host(), IrqchipMode.ON);
        X86FeatureTable t = X86FeatureTable.of(m);
        assertEquals(X86Feature.ALL.size(), t.rows().size());
        X86FeatureTable.Row cx16 = t.rows().stream().filter(r -> r.name().equals("cx16")).findFirst().orElseThrow();
        assertEquals(new X86FeatureTable.Row("cx16", "0x1", "ECX", 13, true, false), cx16);
        X86FeatureTable.Row er = t.rows().stream().filter(r -> r.name().equals("avx512er")).findFirst().orElseThrow();
        assertEquals(new X86FeatureTable.Row("avx512er", "0x7.0", "EBX", 27, false, false), er);
        assertTrue(t.toText().matches("(?s)name +leaf +reg +bit +host +state\n.*\ncx16 +0x1 +ECX +13 +yes +off\n.*"),
                t.toText());
        assertTrue(t.toJson().contains("{\"name\":\"cx16\",\"leaf\":\"0x1\",\"register\":\"ECX\",\"bit\":13,"
                + "\"host\":true,\"enabled\":false}"), t.toJson());
    }

    @Test
    void cpuidReportShowsTheBits() {
        String r = CpuidReport.render(compose("host,-cx16,-xsave", host()));
        assertTrue(r.contains("    ECX bit 13 cx16                   off\n"), r);
        assertTrue(r.contains("    ECX bit 26 xsave                  off\n"), r);
        assertTrue(r.contains("    EBX bit  5 avx2                   on\n"), r); // QEMU has no xsave -> avx2 dependency
        assertTrue(r.contains("    EBX bit 27 avx512er               off\n"), r); // the host lacks it
        assertTrue(r.contains("    EDX bit 29 arch-capabilities      on\n"), r);
        assertTrue(r.contains("    EDX bit 20 nx                     on\n"), r);
        assertTrue(r.contains("    EAX bit  0 xsaveopt               off\n"), r);
    }
}
