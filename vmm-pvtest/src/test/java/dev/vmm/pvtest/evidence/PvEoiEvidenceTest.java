package dev.vmm.pvtest.evidence;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.*;

class PvEoiEvidenceTest {
    private static Optional<Map<String, Long>> emulated(long n) {
        return Optional.of(Map.of("insn_emulation", n, "exits", 99L));
    }

    @Test
    void eachPvAckSavesAnEmulatedApicAccess() {
        // AMD without AVIC: ISR read and EOI write emulated per APIC ack; 19 PV acks leave one APIC ack
        assertTrue(PvEoiEvidence.check(true, emulated(40), emulated(2), OptionalInt.of(19), true).isEmpty());
        // Intel without APICv: only the ISR read is emulated
        assertTrue(PvEoiEvidence.check(true, emulated(20), emulated(1), OptionalInt.of(19), true).isEmpty());
        String why = PvEoiEvidence.check(true, emulated(40), emulated(38), OptionalInt.of(19), true).orElseThrow();
        assertTrue(why.contains("acked 19 of 20") && why.contains("38") && why.contains("40"), why);
    }

    @Test
    void unmeasuredTicksFailWhereTheHostHasStats() {
        assertTrue(PvEoiEvidence.check(true, Optional.empty(), emulated(2), OptionalInt.of(19), true).isPresent());
        assertTrue(PvEoiEvidence.check(true, emulated(40), emulated(2), OptionalInt.empty(), true).isPresent());
    }

    @Test
    void noVerdictWhereApicAccessesAreNotEmulatedOrNothingWasClaimed() {
        assertTrue(PvEoiEvidence.check(true, emulated(0), emulated(0), OptionalInt.of(19), true).isEmpty(), "x2APIC / APICv");
        assertTrue(PvEoiEvidence.check(false, emulated(40), emulated(40), OptionalInt.of(0), true).isEmpty());
        assertTrue(PvEoiEvidence.check(true, Optional.empty(), Optional.empty(), OptionalInt.empty(), false).isEmpty());
    }

    @Test
    void readsTheGuestsCountOfPvAcks() {
        String log = "# pv-eoi stats window 4: 20 interrupts, 0 acked through the PV-EOI bit\n"
                + "# pv-eoi stats window 5: 20 interrupts, 19 acked through the PV-EOI bit\nok 12 - pv kvm-pv-eoi\n";
        assertEquals(OptionalInt.of(19), PvEoiEvidence.pvAcks(log));
        assertEquals(OptionalInt.empty(), PvEoiEvidence.pvAcks("ok 12 - pv kvm-pv-eoi\n"));
    }
}
