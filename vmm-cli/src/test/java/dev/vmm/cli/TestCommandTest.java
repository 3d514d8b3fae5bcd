package dev.vmm.cli;

import dev.vmm.cpu.PvFeature;
import dev.vmm.vm.VmOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** TAP judging and report formats of {@code vmm test}, without KVM. */
class TestCommandTest {
    private static final String LOG = String.join("\n",
            "TAP version 14", "1..15", "ok 4 - kvmclock: read system time",
            "ok 6 - pv kvmclock: MSRs, wall clock, system time advances",
            "ok 7 - pv kvmclock-stable-bit # SKIP host clock stability not given (pvtest.stable=1)",
            "not ok 9 - pv kvm-poll-control: MSR 0x4b564d05",
            "ok 12 - pv unknown hypercall 0x7777 returns -KVM_ENOSYS # SKIP hypercalls not enabled (pvtest.hypercall=auto)",
            "ok 14 - pv kvm-pv-ipi: hypercall 10 SEND_IPI # SKIP hypercalls not enabled (pvtest.hypercall=auto)", "");

    private static TestCommand.Cell judge(PvFeature f, String log) {
        return TestCommand.judge(f, TestCommand.Config.ON.setting(f, 2), "host,+" + f.qemuName(), log, VmOutcome.powerOff(0), "none", true);
    }

    @Test
    void asyncPfIntOnNeedsTheRealAsyncPageFault() {
        String msr = "ok 15 - pv kvm-asyncpf / kvm-asyncpf-int: MSRs 0x4b564d02/06/07\n";
        String real = "ok 16 - pv kvm-asyncpf-int: real async page fault (page not present, page ready)";
        assertEquals("pass", judge(PvFeature.ASYNCPF_INT, msr + real + "\n").status());
        TestCommand.Cell noPort = judge(PvFeature.ASYNCPF_INT, msr + real + " # SKIP no page-eviction port 0x530\n");
        assertEquals("skip", noPort.status());
        assertTrue(noPort.reason().contains("no real async page fault: no page-eviction port"), noPort.reason());
        assertEquals("fail", judge(PvFeature.ASYNCPF_INT, msr + "not " + real + "\n").status());
        assertEquals("fail", judge(PvFeature.ASYNCPF_INT, msr).status(), "the real line is missing");
        // the off columns: only the MSR line counts (with the bit off there is no async PF to show)
        TestCommand.Cell off = TestCommand.judge(PvFeature.ASYNCPF_INT, TestCommand.Config.OFF.setting(PvFeature.ASYNCPF_INT, 2), "host,-kvm-asyncpf-int",
                msr + real + " # SKIP CPUID bits 4 and 14 are not both offered\n", VmOutcome.powerOff(0), "none", true);
        assertEquals("pass", off.status(), off.reason());
        // kvm-asyncpf's own row does not ask for it
        assertEquals("pass", judge(PvFeature.ASYNCPF, msr).status());
    }

    @Test
    void ownLineDecidesAndOtherFailuresFailTheCell() {
        TestCommand.Cell poll = judge(PvFeature.POLL_CONTROL, LOG);
        assertEquals("fail", poll.status());
        assertTrue(poll.reason().startsWith("not ok 9"), poll.reason());
        TestCommand.Cell clock = judge(PvFeature.KVMCLOCK, LOG);
        assertEquals("fail", clock.status(), "another test failed in the same boot");
        assertTrue(clock.reason().contains("other test failed"), clock.reason());
        String good = LOG.replace("not ok 9", "ok 9");
        assertEquals("pass", judge(PvFeature.KVMCLOCK, good).status());
    }

    @Test
    void skipsCarryTheirReason() {
        String good = LOG.replace("not ok 9", "ok 9");
        TestCommand.Cell stable = judge(PvFeature.KVMCLOCK_STABLE_BIT, good);
        assertEquals("skip", stable.status());
        assertEquals("host clock stability not given (pvtest.stable=1)", stable.reason());
        TestCommand.Cell ipi = judge(PvFeature.PV_IPI, good);
        assertEquals("skip", ipi.status());
        assertTrue(ipi.reason().contains("kvm-pvm"), ipi.reason());
    }

    @Test
    void missingLineOrBrokenVmFails() {
        assertEquals("fail", judge(PvFeature.STEAL_TIME, LOG.replace("not ok 9", "ok 9")).status());
        TestCommand.Cell broken = TestCommand.judge(PvFeature.KVMCLOCK, TestCommand.Config.OFF.setting(PvFeature.KVMCLOCK, 2), "host,-kvmclock",
                LOG, VmOutcome.failure(VmOutcome.Kind.STOPPED, "vmm: guest still running after 30 s; stopped it"), "none", false);
        assertEquals("fail", broken.status());
        assertTrue(broken.reason().contains("still running"), broken.reason());
    }

    @Test
    void kvmclocksFurtherLinesAreNotItsOwnLine() {
        // "pv kvmclock wall clock: ..." and the other pv_kvmclock.c lines follow the kvmclock cell's own
        // "pv kvmclock: ..." line: the own line keeps deciding, a failure among them fails the cell
        String good = LOG.replace("not ok 9", "ok 9");
        String wallFails = good + "not ok 8 - pv kvmclock wall clock: wall + system time is the host's time (pvtest.epoch)\n"
                + "ok 10 - pv kvmclock user mode: read-only alias, reads never go backwards across vCPUs # SKIP x\n";
        TestCommand.Cell clock = judge(PvFeature.KVMCLOCK, wallFails);
        assertEquals("fail", clock.status());
        assertTrue(clock.reason().startsWith("other test failed: not ok 8 - pv kvmclock wall clock"), clock.reason());
        String allOk = wallFails.replace("not ok 8", "ok 8");
        assertEquals("pass", judge(PvFeature.KVMCLOCK, allOk).status(), "the SKIP of a further line is not the cell's");
    }

    @Test
    void onlyTheStealTimeRowsGetHostContention() {
        for (PvFeature f : TestCommand.CHECKS.keySet()) {
            assertEquals(f == PvFeature.STEAL_TIME || f == PvFeature.PV_TLB_FLUSH, TestCommand.contended(f), f.qemuName());
        }
        assertTrue(TestCommand.CHECKS.containsKey(PvFeature.PV_TLB_FLUSH), "kvm-pv-tlb-flush is a row of the matrix");
    }

    @Test
    void theKvmPvmSkipIsTheOneTheTestKernelPrints() throws IOException {
        // the host re-checks that skip against KVM's preemption counters, so it must recognise the words
        String src = Files.readString(Path.of("../guest-images/src/pv_steal.c"));
        assertTrue(src.contains("*skip = \"" + TestCommand.NO_PREEMPTION_SKIP), "pv_steal.c prints the skip vmm test looks for");
        String log = "ok 9 - pv kvm-pv-tlb-flush: preempted byte set while a vCPU waits, cleared when it runs # SKIP "
                + TestCommand.NO_PREEMPTION_SKIP + " (no exit at an instruction boundary)\n";
        TestCommand.Cell cell = judge(PvFeature.PV_TLB_FLUSH, log);
        assertEquals("skip", cell.status());
        assertTrue(cell.reason().startsWith(TestCommand.NO_PREEMPTION_SKIP), cell.reason());
    }

    @Test
    void hostExpectationFollowsTheGuestsModeRule() {
        int hostHasSteal = PvFeature.STEAL_TIME.mask();
        assertEquals(dev.vmm.pv.PvAgreement.Expect.WORKS,
                TestCommand.expectation(PvFeature.STEAL_TIME, TestCommand.Config.ON.setting(PvFeature.STEAL_TIME, 2), 0));
        assertEquals(dev.vmm.pv.PvAgreement.Expect.REFUSED,
                TestCommand.expectation(PvFeature.STEAL_TIME, TestCommand.Config.ENFORCE.setting(PvFeature.STEAL_TIME, 2), hostHasSteal));
        assertEquals(dev.vmm.pv.PvAgreement.Expect.WORKS,
                TestCommand.expectation(PvFeature.STEAL_TIME, TestCommand.Config.OFF.setting(PvFeature.STEAL_TIME, 2), hostHasSteal));
        assertEquals(dev.vmm.pv.PvAgreement.Expect.NOT_ASSERTED,
                TestCommand.expectation(PvFeature.STEAL_TIME, TestCommand.Config.OFF.setting(PvFeature.STEAL_TIME, 2), 0));
    }

    @Test
    void apicvFromEitherModuleParameter(@TempDir Path sys) throws IOException {
        assertFalse(TestCommand.hostApicv(sys), "no kvm_intel/kvm_amd: no APIC virtualization");
        Files.createDirectories(sys.resolve("kvm_intel/parameters"));
        Files.writeString(sys.resolve("kvm_intel/parameters/enable_apicv"), "N\n");
        assertFalse(TestCommand.hostApicv(sys));
        Files.createDirectories(sys.resolve("kvm_amd/parameters"));
        Files.writeString(sys.resolve("kvm_amd/parameters/avic"), "1\n");
        assertTrue(TestCommand.hostApicv(sys), "AVIC on");
    }
}
