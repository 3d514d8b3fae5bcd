package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PvFeatureTest {
    @Test
    void namesAndAliases() {
        assertEquals(PvFeature.PV_EOI, PvFeature.byName("kvm_pv_eoi").orElseThrow());
        assertEquals(PvFeature.PV_IPI, PvFeature.byName("kvm-pv-ipi").orElseThrow());
        assertEquals(PvFeature.KVMCLOCK_STABLE_BIT, PvFeature.byName("kvmclock_stable_bit").orElseThrow());
        assertTrue(PvFeature.byName("kvm-pv-ip").isEmpty());
    }

    @Test
    void bitsMatchKvmParaH() {
        assertEquals(0x9, PvFeature.KVMCLOCK.mask());
        assertEquals("0,3", PvFeature.KVMCLOCK.bitList());
        assertEquals(1 << 11, PvFeature.PV_IPI.mask());
        assertEquals(1 << 15, PvFeature.MSI_EXT_DEST_ID.mask());
        assertEquals(1 << 24, PvFeature.KVMCLOCK_STABLE_BIT.mask());
        assertEquals(PvFeature.Register.EDX, PvFeature.HINT_DEDICATED.register());
        assertFalse(PvFeature.PV_ENFORCE_CPUID.isCpuidBit());
        assertEquals(0, PvFeature.PV_ENFORCE_CPUID.mask());
        assertTrue(PvFeature.MMU.deprecated());
        assertEquals(PvFeature.KVMCLOCK, PvFeature.byBit(PvFeature.Register.EAX, 3).orElseThrow());
    }

    @Test
    void defaultsOnNamedModels() {
        int eax = 0;
        for (PvFeature f : PvFeature.values()) {
            if (f.register() == PvFeature.Register.EAX && f.defaultOn(IrqchipMode.ON)) eax |= f.mask();
        }
        assertEquals(0x0100007B, eax);
        assertTrue(PvFeature.MSI_EXT_DEST_ID.defaultOn(IrqchipMode.SPLIT));
        assertFalse(PvFeature.MSI_EXT_DEST_ID.defaultOn(IrqchipMode.ON));
        assertFalse(PvFeature.HINT_DEDICATED.defaultOn(IrqchipMode.SPLIT));
        assertFalse(PvFeature.PV_ENFORCE_CPUID.defaultOn(IrqchipMode.ON));
    }
}
