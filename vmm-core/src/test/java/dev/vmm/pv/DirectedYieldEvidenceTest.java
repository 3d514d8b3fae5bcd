package dev.vmm.pv;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DirectedYieldEvidenceTest {
    private static final PvAgreement.Expect WORKS = PvAgreement.Expect.WORKS;
    private static final PvAgreement.Expect REFUSED = PvAgreement.Expect.REFUSED;

    @Test
    void aWorkingYieldMovesTheCounter() {
        assertTrue(DirectedYieldEvidence.check(WORKS, Map.of("directed_yield_attempted", 1L, "exits", 9L)).isEmpty());
        String why = DirectedYieldEvidence.check(WORKS, Map.of("directed_yield_attempted", 0L)).orElseThrow();
        assertTrue(why.contains("did not move"), why);
    }

    @Test
    void aRefusedYieldDoesNot() {
        assertTrue(DirectedYieldEvidence.check(REFUSED, Map.of("directed_yield_attempted", 0L)).isEmpty());
        String why = DirectedYieldEvidence.check(REFUSED, Map.of("directed_yield_attempted", 2L)).orElseThrow();
        assertTrue(why.contains("refused") && why.contains("2"), why);
    }

    @Test
    void noVerdictWithoutTheCounterOrAnExpectation() {
        assertTrue(DirectedYieldEvidence.check(WORKS, null).isEmpty());
        assertTrue(DirectedYieldEvidence.check(WORKS, Map.of("exits", 3L)).isEmpty(), "KVM before 5.15");
        assertTrue(DirectedYieldEvidence.check(PvAgreement.Expect.NOT_ASSERTED, Map.of("directed_yield_attempted", 0L)).isEmpty());
    }
}
