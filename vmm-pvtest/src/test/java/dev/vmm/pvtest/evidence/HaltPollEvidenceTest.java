package dev.vmm.pvtest.evidence;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HaltPollEvidenceTest {
    private static final PvAgreement.Expect WORKS = PvAgreement.Expect.WORKS;

    private static Map<String, Long> window(long polls, long wakeups, long waitNs) {
        return Map.of("halt_attempted_poll", polls, "halt_exits", 100L, "halt_wakeup", wakeups, "halt_wait_ns", waitNs);
    }

    @Test
    void pollsMustShowWhereTheMsrWorks() {
        assertTrue(HaltPollEvidence.check(WORKS, window(97, 100, 5_000_000), 200000).isEmpty());
        String why = HaltPollEvidence.check(WORKS, window(0, 100, 6_000_000), 200000).orElseThrow();
        assertTrue(why.contains("never polled") && why.contains("halt_wakeup 100"), why);
        assertTrue(HaltPollEvidence.check(WORKS, Map.of("halt_attempted_poll", 0L), 200000).isPresent(), "no wait figures");
        assertTrue(HaltPollEvidence.check(WORKS, window(0, 100, 6_000_000), -1).isPresent(), "unknown limit: still expected");
    }

    @Test
    void haltsAllLongerThanTheLimitCannotShowPolling() {
        Map<String, Long> slow = window(0, 100, 35_000_000); // 350 us each
        assertTrue(HaltPollEvidence.check(WORKS, slow, 200000).isEmpty());
        String why = HaltPollEvidence.cannotShow(WORKS, slow, 200000).orElseThrow();
        assertTrue(why.contains("350 us") && why.contains("200 us"), why);
        assertTrue(HaltPollEvidence.cannotShow(WORKS, window(0, 100, 6_000_000), 200000).isEmpty(), "short halts: a failure, not a skip");
        assertTrue(HaltPollEvidence.cannotShow(WORKS, window(3, 100, 35_000_000), 200000).isEmpty(), "it polled");
        assertTrue(HaltPollEvidence.cannotShow(WORKS, slow, -1).isEmpty(), "unknown limit");
    }

    @Test
    void haltsThatNeverBlockedCannotShowPolling() {
        String why = HaltPollEvidence.cannotShow(WORKS, window(0, 0, 0), 200000).orElseThrow();
        assertTrue(why.contains("none of the guest's ~50 us halts blocked"), why);
        assertTrue(HaltPollEvidence.check(WORKS, window(0, 0, 0), 200000).isEmpty());
    }

    @Test
    void oneBlockedHaltCannotShowPollingButTwoMust() {
        // the lab's figures: the poll window grows only after the one halt that blocked
        String why = HaltPollEvidence.cannotShow(WORKS, window(0, 1, 706_080), 4_000_000).orElseThrow();
        assertTrue(why.contains("only one of the guest's ~50 us halts blocked") && why.contains("halt_wakeup 1"), why);
        assertTrue(HaltPollEvidence.check(WORKS, window(0, 1, 706_080), 4_000_000).isEmpty());
        assertTrue(HaltPollEvidence.check(WORKS, window(0, 2, 1_400_000), 4_000_000).isPresent(),
                "two short blocks: KVM had grown the window before the second");
    }

    @Test
    void noVerdictWhereTheHostCannotPollOrNothingWasExpected() {
        assertTrue(HaltPollEvidence.check(WORKS, window(0, 100, 1), 0).isEmpty(), "halt_poll_ns=0");
        assertTrue(HaltPollEvidence.check(PvAgreement.Expect.REFUSED, window(0, 100, 1), 200000).isEmpty());
        assertTrue(HaltPollEvidence.check(WORKS, null, 200000).isEmpty());
        assertTrue(HaltPollEvidence.check(WORKS, Map.of("exits", 1L), 200000).isEmpty());
    }
}
