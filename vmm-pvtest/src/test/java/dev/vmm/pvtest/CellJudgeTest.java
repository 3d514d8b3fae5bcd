package dev.vmm.pvtest;

import dev.vmm.cpu.PvFeature;
import dev.vmm.machine.TestDevice;
import dev.vmm.pvtest.evidence.PvAgreement;
import dev.vmm.vm.VmOutcome;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** TAP judging of the matrix's cells, without KVM. */
class CellJudgeTest {
    /** A TAP line of check {@code c} as the test kernel prints it. */
    private static String line(String okOrNot, int n, PvCheck c, String directive) {
        return okOrNot + " " + n + " - " + c.description() + directive;
    }

    private static final String LOG = String.join("\n",
            "TAP version 14", "1..15", "ok 4 - kvmclock: read system time",
            line("ok", 6, PvCheck.KVMCLOCK, ""),
            line("ok", 7, PvCheck.KVMCLOCK_STABLE_BIT, " # SKIP host clock stability not given (pvtest.stable=1)"),
            line("not ok", 9, PvCheck.POLL_CONTROL, ""),
            line("ok", 12, PvCheck.UNKNOWN_HYPERCALL, " # SKIP hypercalls not enabled (pvtest.hypercall=auto)"),
            line("ok", 14, PvCheck.PV_IPI, " # SKIP hypercalls not enabled (pvtest.hypercall=auto)"), "");

    private static Cell judge(PvFeature f, String log) {
        return CellJudge.judge(f, Column.ON.setting(f, 2), log, VmOutcome.powerOff(0), HypercallMode.NONE, true);
    }

    @Test
    void asyncPfIntOnNeedsTheRealAsyncPageFault() {
        String msr = line("ok", 15, PvCheck.ASYNCPF, "\n");
        String real = line("ok", 16, PvCheck.ASYNCPF_INT_REAL, "");
        assertEquals(Verdict.PASS, judge(PvFeature.ASYNCPF_INT, msr + real + "\n").verdict());
        Cell noPort = judge(PvFeature.ASYNCPF_INT, msr + real + " # SKIP no page-eviction port 0x530\n");
        assertEquals(Verdict.SKIP, noPort.verdict());
        assertTrue(noPort.reason().contains("no real async page fault: no page-eviction port"), noPort.reason());
        assertEquals(Verdict.FAIL, judge(PvFeature.ASYNCPF_INT, msr + "not " + real + "\n").verdict());
        assertEquals(Verdict.FAIL, judge(PvFeature.ASYNCPF_INT, msr).verdict(), "the real line is missing");
        // the off columns: only the MSR line counts (with the bit off there is no async PF to show)
        Cell off = CellJudge.judge(PvFeature.ASYNCPF_INT, Column.OFF.setting(PvFeature.ASYNCPF_INT, 2),
                msr + real + " # SKIP CPUID bits 4 and 14 are not both offered\n", VmOutcome.powerOff(0), HypercallMode.NONE, true);
        assertEquals(Verdict.PASS, off.verdict(), off.reason());
        // kvm-asyncpf's own row does not ask for it
        assertEquals(Verdict.PASS, judge(PvFeature.ASYNCPF, msr).verdict());
    }

    @Test
    void ownLineDecidesAndOtherFailuresFailTheCell() {
        Cell poll = judge(PvFeature.POLL_CONTROL, LOG);
        assertEquals(Verdict.FAIL, poll.verdict());
        assertTrue(poll.reason().startsWith("not ok 9"), poll.reason());
        Cell clock = judge(PvFeature.KVMCLOCK, LOG);
        assertEquals(Verdict.FAIL, clock.verdict(), "another test failed in the same boot");
        assertTrue(clock.reason().contains("other test failed"), clock.reason());
        String good = LOG.replace("not ok 9", "ok 9");
        assertEquals(Verdict.PASS, judge(PvFeature.KVMCLOCK, good).verdict());
    }

    @Test
    void skipsCarryTheirReason() {
        String good = LOG.replace("not ok 9", "ok 9");
        Cell stable = judge(PvFeature.KVMCLOCK_STABLE_BIT, good);
        assertEquals(Verdict.SKIP, stable.verdict());
        assertEquals("host clock stability not given (pvtest.stable=1)", stable.reason());
        Cell ipi = judge(PvFeature.PV_IPI, good);
        assertEquals(Verdict.SKIP, ipi.verdict());
        assertTrue(ipi.reason().contains("kvm-pvm"), ipi.reason());
    }

    @Test
    void missingLineOrBrokenVmFails() {
        Cell missing = judge(PvFeature.STEAL_TIME, LOG.replace("not ok 9", "ok 9"));
        assertEquals(Verdict.FAIL, missing.verdict());
        assertTrue(missing.reason().contains(PvCheck.STEAL_TIME.description()), missing.reason());
        Cell broken = CellJudge.judge(PvFeature.KVMCLOCK, Column.OFF.setting(PvFeature.KVMCLOCK, 2), LOG,
                VmOutcome.failure(VmOutcome.Kind.STOPPED, "vmm: guest still running after 30 s; stopped it"),
                HypercallMode.NONE, false);
        assertEquals(Verdict.FAIL, broken.verdict());
        assertTrue(broken.reason().contains("still running"), broken.reason());
    }

    @Test
    void kvmclocksFurtherLinesAreNotItsOwnLine() {
        // the other pv_kvmclock.c lines follow the kvmclock cell's own line: the own line keeps
        // deciding, a failure among them fails the cell
        String good = LOG.replace("not ok 9", "ok 9");
        String wallFails = good + line("not ok", 8, PvCheck.KVMCLOCK_WALL_CLOCK, "\n")
                + line("ok", 10, PvCheck.KVMCLOCK_USER_MODE, " # SKIP x\n");
        Cell clock = judge(PvFeature.KVMCLOCK, wallFails);
        assertEquals(Verdict.FAIL, clock.verdict());
        assertTrue(clock.reason().startsWith("other test failed: not ok 8 - " + PvCheck.KVMCLOCK_WALL_CLOCK.description()),
                clock.reason());
        String allOk = wallFails.replace("not ok 8", "ok 8");
        assertEquals(Verdict.PASS, judge(PvFeature.KVMCLOCK, allOk).verdict(), "the SKIP of a further line is not the cell's");
    }

    @Test
    void aNoteAfterTheDescriptionKeepsTheLineTheChecks() {
        // pv_extdest.c adds " (bit off: ...)" after the description when the bit is off
        String log = line("ok", 3, PvCheck.MSI_EXT_DEST_ID, " (bit off: lands on APIC ID & 0xff)\n");
        assertEquals(Verdict.PASS, CellJudge.judge(PvFeature.MSI_EXT_DEST_ID, Column.OFF.setting(PvFeature.MSI_EXT_DEST_ID, 2),
                log, VmOutcome.powerOff(0), HypercallMode.AUTO, false).verdict());
    }

    @Test
    void onlyTheStealTimeRowsGetHostContention() {
        for (PvFeature f : CheckedFeatures.all()) {
            assertEquals(f == PvFeature.STEAL_TIME || f == PvFeature.PV_TLB_FLUSH, PvMatrix.contended(f), f.qemuName());
            assertEquals(PvMatrix.contended(f), PvMatrix.testDevices(f, false).contains(TestDevice.HOST_CONTENTION), f.qemuName());
        }
        assertTrue(CheckedFeatures.has(PvFeature.PV_TLB_FLUSH), "kvm-pv-tlb-flush is a row of the matrix");
    }

    @Test
    void theKvmPvmSkipIsTheOneTheTestKernelPrints() throws IOException {
        // the host re-checks that skip against KVM's preemption counters, so it must recognise the words
        String src = Files.readString(Path.of("../guest-images/src/pv_steal.c"));
        assertTrue(src.contains("*skip = \"" + CellJudge.NO_PREEMPTION_SKIP), "pv_steal.c prints the skip vmm test looks for");
        String log = line("ok", 9, PvCheck.PV_TLB_FLUSH, " # SKIP " + CellJudge.NO_PREEMPTION_SKIP
                + " (no exit at an instruction boundary)\n");
        Cell cell = judge(PvFeature.PV_TLB_FLUSH, log);
        assertEquals(Verdict.SKIP, cell.verdict());
        assertTrue(cell.reason().startsWith(CellJudge.NO_PREEMPTION_SKIP), cell.reason());
    }

    @Test
    void hostExpectationFollowsTheGuestsModeRule() {
        int hostHasSteal = PvFeature.STEAL_TIME.mask();
        assertEquals(PvAgreement.Expect.WORKS,
                PvMatrix.expectation(PvFeature.STEAL_TIME, Column.ON.setting(PvFeature.STEAL_TIME, 2), 0));
        assertEquals(PvAgreement.Expect.REFUSED,
                PvMatrix.expectation(PvFeature.STEAL_TIME, Column.ENFORCE.setting(PvFeature.STEAL_TIME, 2), hostHasSteal));
        assertEquals(PvAgreement.Expect.WORKS,
                PvMatrix.expectation(PvFeature.STEAL_TIME, Column.OFF.setting(PvFeature.STEAL_TIME, 2), hostHasSteal));
        assertEquals(PvAgreement.Expect.NOT_ASSERTED,
                PvMatrix.expectation(PvFeature.STEAL_TIME, Column.OFF.setting(PvFeature.STEAL_TIME, 2), 0));
    }
}
