package dev.vmm.pvtest.evidence;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class KickEvidenceTest {
    private static final PvAgreement.Expect WORKS = PvAgreement.Expect.WORKS;
    private static final PvAgreement.Expect REFUSED = PvAgreement.Expect.REFUSED;

    private static Optional<Map<String, Long>> window(long halts, long injected, long wakeups) {
        return Optional.of(Map.of("halt_exits", halts, "irq_injections", injected, "halt_wakeup", wakeups,
                "halt_successful_poll", 0L));
    }

    @Test
    void aTakenKickWakesTheHaltedApWithoutAnInterrupt() {
        assertTrue(KickEvidence.check(WORKS, window(1, 0, 1), false).isEmpty());
        String why = KickEvidence.check(WORKS, window(1, 1, 1), false).orElseThrow();
        assertTrue(why.contains("needed an interrupt") && why.contains("irq_injections 1"), why);
    }

    @Test
    void aRefusedKickLeavesTheWakingToTheGuestsIpi() {
        assertTrue(KickEvidence.check(REFUSED, window(1, 1, 1), false).isEmpty());
        String why = KickEvidence.check(REFUSED, window(1, 0, 1), false).orElseThrow();
        assertTrue(why.contains("without an interrupt"), why);
    }

    @Test
    void theApMustHaveHaltedInTheWindow() {
        String why = KickEvidence.check(WORKS, window(0, 0, 0), false).orElseThrow();
        assertTrue(why.contains("never halted"), why);
    }

    @Test
    void anUnmeasuredHltFailsWhereTheHostHasStats() {
        String why = KickEvidence.check(WORKS, Optional.empty(), false).orElseThrow();
        assertTrue(why.contains("not measured"), why);
    }

    @Test
    void noVerdictWithApicVirtualizationNoExpectationOrOtherStats() {
        assertTrue(KickEvidence.check(REFUSED, window(1, 0, 1), true).isEmpty(), "posted interrupts are not injections");
        assertTrue(KickEvidence.check(PvAgreement.Expect.NOT_ASSERTED, window(0, 5, 0), false).isEmpty());
        assertTrue(KickEvidence.check(WORKS, Optional.of(Map.of("exits", 4L)), false).isEmpty());
    }
}
