package dev.vmm.pvtest.evidence;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PreemptionEvidenceTest {
    private static Map<String, Long> stats(long reported, long other) {
        return Map.of(PreemptionEvidence.REPORTED, reported, PreemptionEvidence.OTHER, other, "exits", 100L);
    }

    @Test
    void agreesWhenGuestAndCountersTellTheSameStory() {
        assertTrue(PreemptionEvidence.check(true, stats(3, 0)).isEmpty(), "seen, and KVM reported it");
        assertTrue(PreemptionEvidence.check(false, stats(0, 14)).isEmpty(), "kvm-pvm: not seen, only preemption_other");
    }

    @Test
    void disagreesOtherwise() {
        assertTrue(PreemptionEvidence.check(true, stats(0, 5)).orElseThrow().contains("is 0"));
        assertTrue(PreemptionEvidence.check(false, stats(2, 5)).orElseThrow().contains("2 time(s)"));
        assertTrue(PreemptionEvidence.check(false, stats(0, 0)).orElseThrow().contains("did not make it wait"));
    }

    @Test
    void noCountersNoEvidence() {
        assertTrue(PreemptionEvidence.check(true, null).isEmpty());
        assertTrue(PreemptionEvidence.check(false, Map.of("exits", 1L)).isEmpty(), "KVM before 5.18");
    }
}
