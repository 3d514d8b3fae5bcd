package dev.vmm.pvtest.evidence;

import dev.vmm.pv.PvClockInfo;
import dev.vmm.pv.PvMsr;
import dev.vmm.pv.PvReport;
import dev.vmm.cpu.PvFeature;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.vmm.pvtest.evidence.PvAgreement.Expect.NOT_ASSERTED;
import static dev.vmm.pvtest.evidence.PvAgreement.Expect.REFUSED;
import static dev.vmm.pvtest.evidence.PvAgreement.Expect.WORKS;
import static org.junit.jupiter.api.Assertions.*;

class PvAgreementTest {
    /** A BSP whose every PV MSR reads 0 (disabled), with the given entries replacing their defaults. */
    private static List<PvReport.Entry> bsp(PvReport.Entry... set) {
        List<PvReport.Entry> out = new ArrayList<>();
        for (PvMsr m : PvMsr.values()) {
            PvReport.Entry e = new PvReport.Entry(m, 0L, m.isGpaWithEnable() ? Map.of("enabled", false) : Map.of());
            for (PvReport.Entry s : set) if (s.msr() == m) e = s;
            out.add(e);
        }
        return out;
    }

    private static PvReport.Entry clock(long version, long systemTime, int flags) {
        return new PvReport.Entry(PvMsr.SYSTEM_TIME_NEW, 0x1000L | 1, Map.of("enabled", true, "gpa", 0x1000L,
                "kvmclock", new PvClockInfo(version, 1, systemTime, 1, 0, flags)));
    }

    private static PvReport.Entry steal(long version) {
        return new PvReport.Entry(PvMsr.STEAL_TIME, 0x2000L | 1, Map.of("enabled", true, "gpa", 0x2000L,
                "steal", 5L, "version", version, "flags", 0L, "preempted", 0));
    }

    @Test
    void kvmclockAgreesOnlyWhenKvmFilledTheStructure() {
        assertTrue(PvAgreement.check(PvFeature.KVMCLOCK, WORKS, bsp(clock(4, 1000, 0)), false).isEmpty());
        assertTrue(PvAgreement.check(PvFeature.KVMCLOCK, WORKS, bsp(clock(5, 1000, 0)), false).get().contains("odd"));
        assertTrue(PvAgreement.check(PvFeature.KVMCLOCK, WORKS, bsp(clock(0, 0, 0)), false).get().contains("never filled"));
        assertTrue(PvAgreement.check(PvFeature.KVMCLOCK, WORKS, bsp(), false).get().contains("no enabled system-time"));
    }

    @Test
    void stableBitNeedsTheFlagOnlyWhenTheHostClockIsStable() {
        assertTrue(PvAgreement.check(PvFeature.KVMCLOCK_STABLE_BIT, WORKS, bsp(clock(4, 1, 0)), false).isEmpty());
        assertTrue(PvAgreement.check(PvFeature.KVMCLOCK_STABLE_BIT, WORKS, bsp(clock(4, 1, 0)), true).isPresent());
        assertTrue(PvAgreement.check(PvFeature.KVMCLOCK_STABLE_BIT, WORKS, bsp(clock(4, 1, 1)), true).isEmpty());
    }

    @Test
    void stealTimeNeedsAnEvenNonZeroVersion() {
        assertTrue(PvAgreement.check(PvFeature.STEAL_TIME, WORKS, bsp(steal(70)), false).isEmpty());
        assertTrue(PvAgreement.check(PvFeature.STEAL_TIME, WORKS, bsp(steal(71)), false).isPresent());
        assertTrue(PvAgreement.check(PvFeature.STEAL_TIME, WORKS, bsp(steal(0)), false).isPresent());
        assertTrue(PvAgreement.check(PvFeature.STEAL_TIME, WORKS, bsp(), false).get().contains("not enabled"));
    }

    @Test
    void pollControlMustHoldTheGuestsLastWrite() {
        PvReport.Entry one = new PvReport.Entry(PvMsr.POLL_CONTROL, 1L, Map.of());
        assertTrue(PvAgreement.check(PvFeature.POLL_CONTROL, WORKS, bsp(), false).isEmpty());
        assertTrue(PvAgreement.check(PvFeature.POLL_CONTROL, WORKS, bsp(one), false).get().contains("did not land"));
    }

    @Test
    void asyncPfIntNeedsTheVectorAndTheDeliveryBit() {
        PvReport.Entry vector = new PvReport.Entry(PvMsr.ASYNC_PF_INT, 0xecL, Map.of());
        PvReport.Entry en = new PvReport.Entry(PvMsr.ASYNC_PF_EN, 0x3000L | 8 | 1, Map.of("enabled", true, "gpa", 0x3000L));
        PvReport.Entry enNoInt = new PvReport.Entry(PvMsr.ASYNC_PF_EN, 0x3000L | 1, Map.of("enabled", true, "gpa", 0x3000L));
        assertTrue(PvAgreement.check(PvFeature.ASYNCPF_INT, WORKS, bsp(vector, en), false).isEmpty());
        assertTrue(PvAgreement.check(PvFeature.ASYNCPF_INT, WORKS, bsp(vector, enNoInt), false).isPresent());
        assertTrue(PvAgreement.check(PvFeature.ASYNCPF_INT, WORKS, bsp(en), false).isPresent());
        assertTrue(PvAgreement.check(PvFeature.ASYNCPF, WORKS, bsp(enNoInt), false).isEmpty());
    }

    @Test
    void refusedAndUnassertedCellsAndHypercallFeaturesHaveNoMsrEvidence() {
        assertTrue(PvAgreement.check(PvFeature.STEAL_TIME, REFUSED, bsp(), false).isEmpty());
        assertTrue(PvAgreement.check(PvFeature.KVMCLOCK, NOT_ASSERTED, bsp(), false).isEmpty());
        assertFalse(PvAgreement.hasEvidence(PvFeature.PV_IPI));
        assertTrue(PvAgreement.check(PvFeature.PV_IPI, WORKS, bsp(), false).isEmpty());
    }

    @Test
    void unreadableMsrIsADisagreement() {
        PvReport.Entry unreadable = new PvReport.Entry(PvMsr.PV_EOI_EN, null, Map.of());
        assertTrue(PvAgreement.check(PvFeature.PV_EOI, WORKS, bsp(unreadable), false).get().contains("cannot read"));
    }
}
