package dev.vmm.pvtest;

import dev.vmm.cpu.CpuModel;
import dev.vmm.cpu.HostPvSupport;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.cpu.PvFeature;
import dev.vmm.machine.KvmStatsChange;
import dev.vmm.machine.MachineConfig;
import dev.vmm.machine.MachineException;
import dev.vmm.machine.PcMachine;
import dev.vmm.machine.TestDevice;
import dev.vmm.pv.VcpuPvMsrs;
import dev.vmm.pvtest.evidence.DirectedYieldEvidence;
import dev.vmm.pvtest.evidence.HaltPollEvidence;
import dev.vmm.pvtest.evidence.KickEvidence;
import dev.vmm.pvtest.evidence.PreemptionEvidence;
import dev.vmm.pvtest.evidence.PvAgreement;
import dev.vmm.pvtest.evidence.PvEoiEvidence;
import dev.vmm.pvtest.evidence.TlbFlushEvidence;
import dev.vmm.vm.VmOutcome;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The matrix runner: boots the test kernel once per cell (one {@link PcMachine} each, serial
 * captured in memory), with the command line and test devices that cell's feature needs, then
 * judges the guest's TAP ({@link CellJudge}) and holds it against the host's evidence (PV MSRs,
 * KVM binary stats).
 */
public final class PvMatrix {
    /**
     * Longest one boot may take. A boot takes seconds here, but under nested KVM on QEMU TCG
     * (scripts/kvm-lab) on a loaded 2-core machine one kvm-poll-control boot ran past 90 s; only a
     * hung guest ever waits this long.
     */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);

    /**
     * How the matrix boots.
     *
     * @param kernel     the test kernel
     * @param smp        vCPUs of the standard columns (and of user cells without their own)
     * @param hypercalls the guest's hypercall instruction
     * @param verbose    where each boot's serial output and stats windows go; null for nowhere
     */
    public record Options(Path kernel, int smp, HypercallMode hypercalls, PrintStream verbose) {
    }

    private final Options options;
    private final HostFacts host;
    private final MatrixProgress progress;

    public PvMatrix(Options options, HostFacts host, MatrixProgress progress) {
        this.options = options;
        this.host = host;
        this.progress = progress;
    }

    /** One cell of the standard matrix. */
    public Cell run(PvFeature f, Column c) {
        return timed(f, c.setting(f, options.smp()));
    }

    /** One of the user's cells; a CPU model that does not resolve fails that cell only. */
    public Cell run(UserCells.UserCell u) {
        CellSetting setting;
        try {
            setting = u.setting(host.cpuid(), ExtDestMachine.irqchip(u.feature()), options.smp());
        } catch (RuntimeException e) {
            return new Cell(u.feature(), u.name(), u.cpu(), Verdict.FAIL, "cpu model: " + e.getMessage(), "");
        }
        return timed(u.feature(), setting);
    }

    /** One cell, with its wall time and its progress line. */
    private Cell timed(PvFeature f, CellSetting c) {
        String what = f.qemuName() + " " + c.label();
        progress.starting(what);
        long start = System.nanoTime();
        Cell cell = runCell(f, c).took((System.nanoTime() - start) / 1e9);
        progress.finished(what, cell.verdict(), cell.seconds());
        return cell;
    }

    private Cell runCell(PvFeature f, CellSetting c) {
        String cpu = c.cpu();
        int smp = c.smp();
        int bits = f.mask();
        int hostPv = host.pvEax();
        IrqchipMode irqchip = ExtDestMachine.irqchip(f);
        int offered = HostPvSupport.from(host.cpuid(), irqchip).eax(); // bit 15 is the VMM's, not KVM's, to offer
        if (c.on() && (offered & bits) != bits) {
            return new Cell(f, c.label(), cpu, Verdict.SKIP, "host lacks the bit (KVM_GET_SUPPORTED_CPUID 0x40000001 eax=0x"
                    + Integer.toHexString(hostPv) + ")", "");
        }
        if ((f == PvFeature.PV_IPI || f == PvFeature.PV_UNHALT || f == PvFeature.PV_TLB_FLUSH || ExtDestMachine.applies(f))
                && smp < 2) {
            return new Cell(f, c.label(), cpu, Verdict.SKIP, "needs --smp 2 or more", "");
        }
        CpuModel model;
        try {
            model = CpuModel.resolve(cpu, host.cpuid(), irqchip);
        } catch (RuntimeException e) {
            return new Cell(f, c.label(), cpu, Verdict.FAIL, "cpu model: " + e.getMessage(), "");
        }
        PvAgreement.Expect expect = expectation(f, c, hostPv);
        // only where the MSR works: pv_poll.c writes it without a #GP guard
        boolean shortHalts = f == PvFeature.POLL_CONTROL && expect == PvAgreement.Expect.WORKS;
        String append = guestArguments(f, c, model, shortHalts);
        Map<String, Long> vcpu1Stats = null, vcpu0Stats = null;
        Optional<Map<String, Long>> kickWindow = Optional.empty(), preemptedWindow = Optional.empty();
        Optional<Map<String, Long>> apicEoiWindow = Optional.empty(), pvEoiWindow = Optional.empty();
        boolean statsOpen;
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        VmOutcome outcome;
        Optional<String> hostView;
        try {
            MachineConfig config = MachineConfig.validated(options.kernel(), append, 128L << 20, smp, cpu, irqchip)
                    .withApicIds(PvIpiMachine.apicIds(f, ExtDestMachine.apicIds(f, smp)));
            for (TestDevice d : testDevices(f, shortHalts)) config = config.withTestDevice(d);
            try (PcMachine m = PcMachine.create(config, serial, new PrintStream(warnings, true, StandardCharsets.UTF_8))) {
                outcome = m.run(BOOT_TIMEOUT);
                hostView = msrDisagreement(m, f, expect);
                List<KvmStatsChange> wholeRun = m.kvmStatsChanges();
                if (f == PvFeature.PV_TLB_FLUSH) {
                    vcpu1Stats = counters(wholeRun, 1);
                    preemptedWindow = m.kvmStatsWindow(TlbFlushEvidence.WINDOW);
                }
                if (f == PvFeature.PV_UNHALT) kickWindow = m.kvmStatsWindow(KickEvidence.WINDOW);
                if (f == PvFeature.PV_EOI) {
                    apicEoiWindow = m.kvmStatsWindow(PvEoiEvidence.APIC_WINDOW);
                    pvEoiWindow = m.kvmStatsWindow(PvEoiEvidence.PV_WINDOW);
                }
                statsOpen = counters(wholeRun, 0) != null;
                if (options.verbose() != null) {
                    for (int w = 1; w <= 255; w++) {
                        int id = w;
                        m.kvmStatsWindow(w).ifPresent(change -> warnings.writeBytes(("# host: stats window " + id + ": "
                                + nonZero(change) + "\n").getBytes(StandardCharsets.UTF_8)));
                    }
                }
                if (yields(f)) vcpu0Stats = counters(wholeRun, 0);
                if (shortHalts && statsOpen) { // the short halts alone (pv_poll.c), when the host has stats
                    vcpu0Stats = m.kvmStatsWindow(HaltPollEvidence.WINDOW).orElse(Map.of());
                }
            }
        } catch (MachineException | IllegalArgumentException e) {
            return new Cell(f, c.label(), cpu, Verdict.FAIL, "boot: " + e.getMessage(), serial.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Cell(f, c.label(), cpu, Verdict.FAIL, "interrupted", "");
        }
        String log = serial.toString(StandardCharsets.UTF_8);
        if (options.verbose() != null) {
            options.verbose().println("=== " + f.qemuName() + " " + c.label() + " (-cpu " + cpu + ")\n" + warnings + log);
        }
        Cell guest = CellJudge.judge(f, c, log, outcome, options.hypercalls(), host.kvmPvm());
        if (guest.verdict() == Verdict.PASS && hostView.isPresent()) {
            return guest.overruled(Verdict.FAIL, "host disagrees: " + hostView.get());
        }
        HostStats measured = new HostStats(statsOpen, vcpu0Stats, vcpu1Stats, kickWindow, preemptedWindow, apicEoiWindow,
                pvEoiWindow, PvEoiEvidence.pvAcks(log));
        Optional<String> stats = statsDisagreement(f, c, guest, shortHalts, yieldingCalls(model, c, hostPv, smp),
                measured, host);
        if (stats.isPresent()) return guest.overruled(Verdict.FAIL, "host disagrees: " + stats.get());
        if (shortHalts && guest.verdict() == Verdict.PASS) { // the host's own counters say why it could not poll
            Optional<String> cannot = HaltPollEvidence.cannotShow(expect, vcpu0Stats, host.haltPollNs());
            if (cannot.isPresent()) return guest.overruled(Verdict.SKIP, cannot.get());
        }
        return guest;
    }

    /** The test kernel's command line for this cell: what to expect, what the host is, what to do. */
    private String guestArguments(PvFeature f, CellSetting c, CpuModel model, boolean shortHalts) {
        StringBuilder append = new StringBuilder();
        append.append("pvtest.expect=0x").append(Integer.toHexString(model.eax()));
        append.append(" pvtest.hostpv=0x").append(Integer.toHexString(host.pvEax()));
        append.append(" pvtest.hypercall=").append(options.hypercalls().argument());
        if (c.enforce()) append.append(" pvtest.enforce=1");
        if (host.clockStable()) append.append(" pvtest.stable=1");
        append.append(" pvtest.leave-msrs=1"); // what the guest ended with stays for the host to read
        append.append(" pvtest.apicv=").append(host.apicv() ? 1 : 0); // lets the guest assert the PV-EOI bit
        // the host's time, for the guest's wall clock check (taken before the VM exists, as the check assumes)
        append.append(" pvtest.epoch=").append(Instant.now().getEpochSecond());
        append.append(ExtDestMachine.append(f));
        if (contended(f)) append.append(" pvtest.contention=1"); // the guest may make the host take its CPU
        if (shortHalts) append.append(" pvtest.shorthalts=100 pvtest.pollctl=1"); // the host must poll (pv_poll.c)
        if (host.kvmPvm()) append.append(" pvtest.pvm=1"); // kvm-pvm never sets the preempted byte: the guest may skip
        if (!c.append().isBlank()) append.append(' ').append(c.append().strip()); // a user cell's own words, last
        return append.toString();
    }

    /**
     * The host's KVM binary stats against the guest's verdict, for the rows that have such evidence:
     * halt polls for kvm-poll-control (short halts), directed yields for kvm-pv-sched-yield and kvm-pv-unhalt, vCPU 1's
     * preemption counters for kvm-pv-tlb-flush (also behind its kvm-pvm skip). Empty = agrees.
     */
    private static Optional<String> statsDisagreement(PvFeature f, CellSetting c, Cell guest, boolean shortHalts,
                                                      DirectedYieldEvidence.Calls yieldingCalls, HostStats host,
                                                      HostFacts facts) {
        boolean pass = guest.verdict() == Verdict.PASS;
        PvAgreement.Expect expect = expectation(f, c, facts.pvEax());
        if (shortHalts && pass) {
            return HaltPollEvidence.check(expect, host.vcpu0(), facts.haltPollNs());
        }
        if (yields(f) && pass) { // the guest passed: its hypercalls ran (not "hypercalls not tried")
            Optional<String> yield = DirectedYieldEvidence.check(yieldingCalls, host.vcpu0());
            if (yield.isPresent() || f != PvFeature.PV_UNHALT) return yield;
            return host.available() ? KickEvidence.check(expect, host.kickWindow(), facts.apicv()) : Optional.empty();
        }
        if (f == PvFeature.PV_EOI) { // passed with the MSR usable: the guest saw the bit and acked through it
            return PvEoiEvidence.check(pass && expect == PvAgreement.Expect.WORKS, host.apicEoiWindow(),
                    host.pvEoiWindow(), host.pvEoiAcks(), host.available());
        }
        if (f == PvFeature.PV_TLB_FLUSH && (pass || guest.reason().startsWith(CellJudge.NO_PREEMPTION_SKIP))) {
            Optional<String> preempted = PreemptionEvidence.check(pass, host.vcpu1());
            if (preempted.isPresent()) return preempted;
            // passed where the flush bit is usable: the guest set it and saw KVM clear it
            return TlbFlushEvidence.check(pass && expect == PvAgreement.Expect.WORKS, host.preemptedWindow(),
                    host.vcpu1() != null);
        }
        return Optional.empty();
    }

    /** One vCPU's whole-run counter changes; null where not read (the evidence classes' "no stats"). */
    private static Map<String, Long> counters(List<KvmStatsChange> wholeRun, int vcpu) {
        return wholeRun.stream().filter(c -> c.vcpu() == vcpu && c.kind() == KvmStatsChange.Kind.READ)
                .map(KvmStatsChange::changed).findFirst().orElse(null);
    }

    /** "name=value ..." of the counters that moved. */
    private static String nonZero(Map<String, Long> change) {
        StringBuilder sb = new StringBuilder();
        change.forEach((name, v) -> {
            if (v != 0) sb.append(sb.isEmpty() ? "" : " ").append(name).append('=').append(v);
        });
        return sb.toString();
    }

    /**
     * The test-only devices this row's boot gets: host contention for the steal-time rows, the KVM
     * stats window where the host's counters are evidence (vCPU 1's preemption counters, vCPU 0's
     * directed-yield and halt-poll ones, the PV-EOI windows), the page-eviction port where the guest
     * must meet a real async page fault (without userfaultfd the guest's line says "no port").
     */
    static java.util.Set<TestDevice> testDevices(PvFeature f, boolean shortHalts) {
        java.util.Set<TestDevice> devices = java.util.EnumSet.noneOf(TestDevice.class);
        if (contended(f)) devices.add(TestDevice.HOST_CONTENTION);
        if (f == PvFeature.PV_TLB_FLUSH || f == PvFeature.PV_EOI || yields(f) || shortHalts) {
            devices.add(TestDevice.KVM_STATS_WINDOW);
        }
        if (CheckedFeatures.real(f).isPresent()) devices.add(TestDevice.PAGE_EVICT);
        return devices;
    }

    /** Rows whose hypercall goes through KVM's kvm_sched_yield(), counted in directed_yield_attempted. */
    static boolean yields(PvFeature f) {
        return f == PvFeature.PV_SCHED_YIELD || f == PvFeature.PV_UNHALT;
    }

    /**
     * Steal time and its preempted byte are proven under real host contention: those boots get the
     * HostContention device (the vCPU that asks shares its host CPU with a busy thread for ~0.2 s).
     * The other boots do without, so they take no CPU from the host.
     */
    static boolean contended(PvFeature f) {
        return f == PvFeature.STEAL_TIME || f == PvFeature.PV_TLB_FLUSH;
    }

    /** What the guest checks for this cell expect, as the test kernel's mode() decides it. */
    static PvAgreement.Expect expectation(PvFeature f, CellSetting c, int hostPv) {
        return PvAgreement.expect(f, c.on() ? f.mask() : 0, c.enforce(), hostPv);
    }

    /**
     * The hypercalls of this boot that reach KVM's kvm_sched_yield() from vCPU 0 — the
     * kvm-pv-sched-yield check's SCHED_YIELD and the kvm-pv-unhalt check's KICK_CPU (made only with
     * a second vCPU) — with what KVM does with each under this boot's CPU model.
     */
    static DirectedYieldEvidence.Calls yieldingCalls(CpuModel model, CellSetting c, int hostPv, int smp) {
        PvAgreement.Expect yield = PvAgreement.expect(PvFeature.PV_SCHED_YIELD, model.eax(), c.enforce(), hostPv);
        Optional<PvAgreement.Expect> kick = smp >= 2
                ? Optional.of(PvAgreement.expect(PvFeature.PV_UNHALT, model.eax(), c.enforce(), hostPv))
                : Optional.empty();
        return new DirectedYieldEvidence.Calls(yield, kick);
    }

    /** The host's half of the check: the BSP's PV MSRs after the run (PvAgreement); empty = agrees. */
    private static Optional<String> msrDisagreement(PcMachine m, PvFeature f, PvAgreement.Expect expect) {
        if (!PvAgreement.hasEvidence(f)) return Optional.empty();
        List<VcpuPvMsrs> all = m.pvMsrs();
        if (all.isEmpty()) return Optional.of("could not read vCPU 0's MSRs: interrupted");
        VcpuPvMsrs bsp = all.get(0);
        return switch (bsp.kind()) {
            case READ -> PvAgreement.check(f, expect, bsp.entries(), HostFacts.masterClock(m));
            case STILL_RUNNING -> Optional.of("could not read vCPU 0's MSRs: it did not leave KVM_RUN");
            case FAILED -> Optional.of("could not read vCPU 0's MSRs: " + bsp.failure().orElse(""));
        };
    }
}
