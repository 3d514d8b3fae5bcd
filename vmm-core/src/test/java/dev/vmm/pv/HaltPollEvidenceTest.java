package dev.vmm.pv;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HaltPollEvidenceTest {
    private static final PvAgreement.Expect WORKS = PvAgreement.Expect.WORKS;

    @Test
    void pollsMustShowWhereTheMsrWorks() {
        assertTrue(HaltPollEvidence.check(WORKS, Map.of("halt_attempted_poll", 97L), 200000).isEmpty());
        String why = HaltPollEvidence.check(WORKS, Map.of("halt_attempted_poll", 0L), 200000).orElseThrow();
        assertTrue(why.contains("never polled"), why);
        assertTrue(HaltPollEvidence.check(WORKS, Map.of("halt_attempted_poll", 0L), -1).isPresent(), "unknown limit: still expected");
    }

    @Test
    void noVerdictWhereTheHostCannotPollOrNothingWasExpected() {
        assertTrue(HaltPollEvidence.check(WORKS, Map.of("halt_attempted_poll", 0L), 0).isEmpty(), "halt_poll_ns=0");
        assertTrue(HaltPollEvidence.check(PvAgreement.Expect.REFUSED, Map.of("halt_attempted_poll", 0L), 200000).isEmpty());
        assertTrue(HaltPollEvidence.check(WORKS, null, 200000).isEmpty());
        assertTrue(HaltPollEvidence.check(WORKS, Map.of("exits", 1L), 200000).isEmpty());
    }
}
