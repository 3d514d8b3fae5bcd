package dev.vmm.pvtest.evidence;

import dev.vmm.cpu.PvFeature;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class DirectedYieldEvidenceTest {
    private static final PvAgreement.Expect WORKS = PvAgreement.Expect.WORKS;
    private static final PvAgreement.Expect REFUSED = PvAgreement.Expect.REFUSED;
    private static final PvAgreement.Expect UNKNOWN = PvAgreement.Expect.NOT_ASSERTED;

    private static Map<String, Long> attempted(long n) {
        return Map.of(DirectedYieldEvidence.ATTEMPTED, n, "exits", 9L);
    }

    private static DirectedYieldEvidence.Calls calls(PvAgreement.Expect yield, PvAgreement.Expect kick) {
        return new DirectedYieldEvidence.Calls(yield, Optional.ofNullable(kick));
    }

    @Test
    void aWorkingYieldAloneMovesTheCounterByOne() {
        assertTrue(DirectedYieldEvidence.check(calls(WORKS, null), attempted(1)).isEmpty());
        String why = DirectedYieldEvidence.check(calls(WORKS, null), attempted(0)).orElseThrow();
        assertTrue(why.contains("moved by 0") && why.contains("account for 1"), why);
    }

    /** The lab's failure (issue 11): SCHED_YIELD refused, KICK_CPU taken in the same boot: 1 is right. */
    @Test
    void aTakenKickCountsAsWellAsARefusedYieldDoesNot() {
        assertTrue(DirectedYieldEvidence.check(calls(REFUSED, WORKS), attempted(1)).isEmpty());
        String none = DirectedYieldEvidence.check(calls(REFUSED, WORKS), attempted(0)).orElseThrow();
        assertTrue(none.contains("SCHED_YIELD refused, KICK_CPU taken"), none);
        String two = DirectedYieldEvidence.check(calls(REFUSED, WORKS), attempted(2)).orElseThrow();
        assertTrue(two.contains("moved by 2") && two.contains("account for 1"), two);
    }

    @Test
    void bothTakenCountTwoBothRefusedNone() {
        assertTrue(DirectedYieldEvidence.check(calls(WORKS, WORKS), attempted(2)).isEmpty());
        assertTrue(DirectedYieldEvidence.check(calls(WORKS, WORKS), attempted(1)).isPresent());
        assertTrue(DirectedYieldEvidence.check(calls(REFUSED, REFUSED), attempted(0)).isEmpty());
        assertTrue(DirectedYieldEvidence.check(calls(REFUSED, REFUSED), attempted(1)).isPresent());
    }

    @Test
    void aCallWhoseFateIsNotAssertedWidensTheRange() {
        assertTrue(DirectedYieldEvidence.check(calls(WORKS, UNKNOWN), attempted(1)).isEmpty());
        assertTrue(DirectedYieldEvidence.check(calls(WORKS, UNKNOWN), attempted(2)).isEmpty());
        String why = DirectedYieldEvidence.check(calls(WORKS, UNKNOWN), attempted(3)).orElseThrow();
        assertTrue(why.contains("1 to 2"), why);
    }

    @Test
    void noVerdictWithoutTheCounter() {
        assertTrue(DirectedYieldEvidence.check(calls(WORKS, WORKS), null).isEmpty());
        assertTrue(DirectedYieldEvidence.check(calls(WORKS, WORKS), Map.of("exits", 3L)).isEmpty(), "KVM before 5.15");
    }

    @Test
    void expectationFollowsTheTestKernelsMode() {
        int unhalt = PvFeature.PV_UNHALT.mask();
        assertEquals(WORKS, PvAgreement.expect(PvFeature.PV_UNHALT, unhalt, true, unhalt));
        assertEquals(REFUSED, PvAgreement.expect(PvFeature.PV_UNHALT, 0, true, unhalt));
        assertEquals(WORKS, PvAgreement.expect(PvFeature.PV_UNHALT, 0, false, unhalt), "KVM ignores CPUID");
        assertEquals(UNKNOWN, PvAgreement.expect(PvFeature.PV_UNHALT, 0, false, 0));
    }
}
