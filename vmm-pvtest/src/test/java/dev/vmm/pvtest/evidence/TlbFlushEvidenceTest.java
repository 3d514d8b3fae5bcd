package dev.vmm.pvtest.evidence;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class TlbFlushEvidenceTest {
    private static Optional<Map<String, Long>> flushes(long n) {
        return Optional.of(Map.of("tlb_flush", n, "exits", 40L));
    }

    @Test
    void aClearedFlushRequestMovesTlbFlushInTheWindow() {
        assertTrue(TlbFlushEvidence.check(true, flushes(1), true).isEmpty());
        assertTrue(TlbFlushEvidence.check(true, flushes(3), true).isEmpty());
        String why = TlbFlushEvidence.check(true, flushes(0), true).orElseThrow();
        assertTrue(why.contains("did not move"), why);
    }

    @Test
    void anUnmeasuredStretchFailsWhereTheHostHasStats() {
        assertTrue(TlbFlushEvidence.check(true, Optional.empty(), true).orElseThrow().contains("not measured"));
        assertTrue(TlbFlushEvidence.check(true, Optional.empty(), false).isEmpty(), "no binary stats: no verdict");
    }

    @Test
    void noRequestNoClaim() {
        assertTrue(TlbFlushEvidence.check(false, flushes(0), true).isEmpty());
        assertTrue(TlbFlushEvidence.check(true, Optional.of(Map.of("exits", 4L)), true).isEmpty(), "no tlb_flush stat");
    }
}
