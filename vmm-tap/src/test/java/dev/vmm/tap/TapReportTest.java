package dev.vmm.tap;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.*;

class TapReportTest {
    private static final String KERNEL_OUTPUT = """
            SeaBIOS-like noise that is not TAP
            TAP version 14\r
            1..4
            # pvtest kernel
            ok 1 - cpuid: hypervisor bit set
            # hypervisor signature "KVMKVMKVM"
            # cpus online: 2 of 2
            not ok 2 - pv kvmclock: MSRs # TODO flaky on this host
            ok 3 - pv kvm-pv-eoi: LAPIC timer # SKIP bit never set
            not ok 4 - smp: all 2 CPUs online
                # indented: a subtest line, left out
            """;

    @Test
    void parsesVersionPlanResultsDirectivesAndDiagnostics() {
        TapReport tap = TapReport.parse(KERNEL_OUTPUT);
        assertEquals(OptionalInt.of(14), tap.version());
        assertEquals(Optional.of(new TapPlan(4, Optional.empty())), tap.plan());
        assertEquals(4, tap.results().size());
        TapResult first = tap.results().get(0);
        assertEquals(new TapResult(true, 1, "cpuid: hypervisor bit set", Optional.empty(),
                List.of("hypervisor signature \"KVMKVMKVM\"", "cpus online: 2 of 2")), first);
        assertTrue(first.passed());

        TapResult todo = tap.result("pv kvmclock");
        assertEquals(Optional.of(new TapDirective(TapDirective.Kind.TODO, "flaky on this host")), todo.directive());
        assertEquals("pv kvmclock: MSRs", todo.description());
        assertTrue(todo.todo());
        assertFalse(todo.passed());

        TapResult skip = tap.result("pv kvm-pv-eoi");
        assertTrue(skip.ok() && skip.skipped() && !skip.passed(), "a SKIP is ok but did not pass");
        assertEquals("bit never set", skip.directive().orElseThrow().reason());

        assertEquals(List.of(tap.results().get(3)), tap.failures(), "TODO failures do not count");
        assertFalse(tap.allPassed());
        assertEquals(List.of("pvtest kernel", "hypervisor signature \"KVMKVMKVM\"", "cpus online: 2 of 2"),
                tap.diagnostics(), "indented lines are not top-level diagnostics");
        assertEquals(Optional.of("cpus online: 2 of 2"), tap.diagnostic("cpus online"));
    }

    @Test
    void allPassedNeedsThePlannedNumberOfResults() {
        assertTrue(TapReport.parse("1..2\nok 1 - a\nok 2 - b # skip not here\n").allPassed());
        assertFalse(TapReport.parse("1..3\nok 1 - a\nok 2 - b\n").allPassed(), "a result is missing");
        assertFalse(TapReport.parse("ok 1 - a\n").allPassed(), "no plan");
        assertFalse(TapReport.parse("1..1\nok 1 - a\nBail out! disk on fire\n").allPassed(), "bailed out");
    }

    @Test
    void numbersAndDashesAreOptionalAndEscapedHashesAreText() {
        TapReport tap = TapReport.parse("ok\nnot ok first try\nok 7 issue \\# 12 fixed\n");
        assertEquals(List.of(1, 2, 7), tap.results().stream().map(TapResult::number).toList());
        assertEquals("", tap.results().get(0).description());
        assertEquals("first try", tap.results().get(1).description());
        assertEquals("issue # 12 fixed", tap.results().get(2).description());
        assertTrue(tap.results().get(2).directive().isEmpty());
    }

    @Test
    void skippedPlanAndBailOut() {
        TapReport tap = TapReport.parse("TAP version 13\n1..0 # Skipped: no KVM\nBail out! no serial\n");
        assertEquals(OptionalInt.of(13), tap.version());
        assertEquals(Optional.of(new TapPlan(0, Optional.of("no KVM"))), tap.plan());
        assertEquals(Optional.of("no serial"), tap.bailOut());
    }

    @Test
    void missingResultNamesEveryResult() {
        TapReport tap = TapReport.parse("1..1\nok 1 - cpuid: hypervisor bit set\n");
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> tap.result("pv kvmclock"));
        assertTrue(e.getMessage().contains("ok 1 - cpuid: hypervisor bit set"), e.getMessage());
    }

    @Test
    void emptyOutputIsAnEmptyReport() {
        TapReport tap = TapReport.parse("");
        assertTrue(tap.plan().isEmpty() && tap.results().isEmpty() && tap.version().isEmpty());
        assertFalse(tap.allPassed());
    }
}
