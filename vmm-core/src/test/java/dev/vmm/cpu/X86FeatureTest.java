package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The x86 flag table and its spellings in {@code -cpu}. */
class X86FeatureTest {
    private static X86Feature flag(String name) {
        return X86Feature.byName(name).orElseThrow(() -> new AssertionError(name));
    }

    @Test
    void namesAndBitsAreUnique() {
        Set<String> names = new HashSet<>();
        Set<String> bits = new HashSet<>();
        for (X86Feature f : X86Feature.ALL) {
            assertTrue(names.add(f.name()), "duplicate name " + f.name());
            assertTrue(bits.add(f.word() + "." + f.bit()), "duplicate bit " + f);
            assertTrue(f.bit() >= 0 && f.bit() < 32, f.toString());
            assertEquals(f.name(), PvFeature.normalize(f.name()), "names are stored normalised: " + f);
            assertTrue(PvFeature.byName(f.name()).isEmpty(), "clashes with a PV feature: " + f);
        }
        for (String alias : X86Feature.ALIASES.keySet()) {
            assertFalse(names.contains(alias), "alias shadows a flag: " + alias);
            assertTrue(names.contains(X86Feature.ALIASES.get(alias)), alias);
        }
    }

    /** Spot checks against QEMU's feature_word_info (and the SDM) for the bits the guests here care about. */
    @Test
    void bitsAreQemus() {
        assertEquals(new X86Feature("cx16", X86FeatureWord.CPUID_1_ECX, 13), flag("cx16"));
        assertEquals(new X86Feature("xsave", X86FeatureWord.CPUID_1_ECX, 26), flag("xsave"));
        assertEquals(new X86Feature("tsc-deadline", X86FeatureWord.CPUID_1_ECX, 24), flag("tsc-deadline"));
        assertEquals(new X86Feature("hypervisor", X86FeatureWord.CPUID_1_ECX, 31), flag("hypervisor"));
        assertEquals(new X86Feature("sse2", X86FeatureWord.CPUID_1_EDX, 26), flag("sse2"));
        assertEquals(new X86Feature("clflush", X86FeatureWord.CPUID_1_EDX, 19), flag("clflush"));
        assertEquals(new X86Feature("avx2", X86FeatureWord.CPUID_7_0_EBX, 5), flag("avx2"));
        assertEquals(new X86Feature("smap", X86FeatureWord.CPUID_7_0_EBX, 20), flag("smap"));
        assertEquals(new X86Feature("pku", X86FeatureWord.CPUID_7_0_ECX, 3), flag("pku"));
        assertEquals(new X86Feature("arch-capabilities", X86FeatureWord.CPUID_7_0_EDX, 29), flag("arch-capabilities"));
        assertEquals(new X86Feature("nx", X86FeatureWord.CPUID_80000001_EDX, 20), flag("nx"));
        assertEquals(new X86Feature("pdpe1gb", X86FeatureWord.CPUID_80000001_EDX, 26), flag("pdpe1gb"));
        assertEquals(new X86Feature("lahf-lm", X86FeatureWord.CPUID_80000001_ECX, 0), flag("lahf-lm"));
        assertEquals(new X86Feature("xsaves", X86FeatureWord.CPUID_D_1_EAX, 3), flag("xsaves"));
        // The CR4 mirrors have no name in QEMU either.
        assertTrue(X86Feature.byBit(X86FeatureWord.CPUID_1_ECX, 27).isEmpty());
        assertTrue(X86Feature.byBit(X86FeatureWord.CPUID_7_0_ECX, 4).isEmpty());
    }

    @Test
    void qemuWarningWording() {
        assertEquals("CPUID.01H:ECX.cx16 [bit 13]", flag("cx16").qemuDescription());
        assertEquals("CPUID.07H:EBX.avx2 [bit 5]", flag("avx2").qemuDescription());
        assertEquals("CPUID.0DH:EAX.xsaveopt [bit 0]", flag("xsaveopt").qemuDescription());
        assertEquals("CPUID.80000001H:EDX.lm [bit 29]", flag("lm").qemuDescription());
    }

    @Test
    void parserTakesEveryFormAliasesAndUnderscores() {
        CpuModelSpec s = CpuModelSpec.parse("host,-cx16,+sse3,xsave=off,avx2,lahf_lm=on,-sse4_1,+xd,i64=off,+Pclmuldq");
        List<CpuOption> o = s.options();
        assertEquals(new CpuOption("cx16", CpuOption.Kind.MINUS, false, "-cx16"), o.get(0));
        assertEquals(new CpuOption("pni", CpuOption.Kind.PLUS, true, "+sse3"), o.get(1));
        assertEquals(new CpuOption("xsave", CpuOption.Kind.ASSIGN, false, "xsave=off"), o.get(2));
        assertEquals(new CpuOption("avx2", CpuOption.Kind.ASSIGN, true, "avx2"), o.get(3));
        assertEquals(new CpuOption("lahf-lm", CpuOption.Kind.ASSIGN, true, "lahf_lm=on"), o.get(4));
        assertEquals("sse4.1", o.get(5).name());
        assertEquals("nx", o.get(6).name());
        assertEquals("lm", o.get(7).name());
        assertEquals("pclmulqdq", o.get(8).name());
        assertTrue(s.warnings().isEmpty());
        // An alias and its flag are the same feature for QEMU's ambiguity warning.
        assertEquals(List.of("warning: Ambiguous CPU model string. Don't mix both \"-pni\" and \"pni=on\""),
                CpuModelSpec.parse("host,-sse3,pni=on").warnings());
    }

    @Test
    void badFlagsAreOneLineErrors() {
        CpuModelException e = assertThrows(CpuModelException.class, () -> CpuModelSpec.parse("host,-cx17"));
        assertEquals("unknown -cpu option 'cx17' (did you mean 'cx16'?)", e.getMessage());
        e = assertThrows(CpuModelException.class, () -> CpuModelSpec.parse("host,+osxsave"));
        assertTrue(e.getMessage().startsWith("unknown -cpu option 'osxsave'"), e.getMessage());
        e = assertThrows(CpuModelException.class, () -> CpuModelSpec.parse("kvm64,avx2=yes"));
        assertEquals("Parameter 'avx2' expects 'on' or 'off'", e.getMessage());
    }

    @Test
    void dependencyParentsComeBeforeTheirOwnParentsClearThem() {
        // One pass in table order must reach the fixed point: once a flag has been used as a parent,
        // no later line may clear it.
        List<X86FeatureDependency> deps = X86FeatureDependency.ALL;
        for (int i = 0; i < deps.size(); i++) {
            assertNotEquals(deps.get(i).from(), deps.get(i).to(), deps.get(i).toString());
            for (int j = i + 1; j < deps.size(); j++) {
                assertNotEquals(deps.get(i).from(), deps.get(j).to(), deps.get(i) + " before " + deps.get(j));
            }
        }
    }
}
