package dev.vmm.cli;

import dev.vmm.cpu.CpuModel;
import dev.vmm.cpu.CpuidEntry;
import dev.vmm.cpu.HostPvSupport;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.cpu.PvFeature;
import dev.vmm.machine.MachineConfig;
import dev.vmm.machine.MachineException;
import dev.vmm.machine.PcMachine;
import dev.vmm.pv.DirectedYieldEvidence;
import dev.vmm.pv.HaltPollEvidence;
import dev.vmm.pv.KickEvidence;
import dev.vmm.pv.PvEoiEvidence;
import dev.vmm.pv.TlbFlushEvidence;
import dev.vmm.pv.PreemptionEvidence;
import dev.vmm.pv.PvAgreement;
import dev.vmm.vm.VmOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;

/**
 * {@code vmm test}: boots the test kernel once per PV feature and configuration — on
 * ({@code host,+F}), off ({@code host,-F}) and off with enforcement
 * ({@code host,-F,kvm-pv-enforce-cpuid}) — reads the guest's TAP and prints a feature ×
 * configuration matrix. Every skip carries its reason. In-process: one {@link PcMachine} per boot,
 * serial captured in memory.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = {"Prove each KVM PV feature from inside the test kernel: on, off, and off with",
                "kvm-pv-enforce-cpuid. Prints one line per finished cell on stderr, then the matrix.",
                "Exit status: 0 every cell passed or skipped, 1 some cell failed, 2 a usage or I/O error."})
public final class TestCommand implements Callable<Integer> {
    /** The features the test kernel checks, and the TAP description prefix of its check. */
    static final Map<PvFeature, String> CHECKS = new LinkedHashMap<>();

    static {
        CHECKS.put(PvFeature.KVMCLOCK, "pv kvmclock:");
        CHECKS.put(PvFeature.KVMCLOCK_STABLE_BIT, "pv kvmclock-stable-bit");
        CHECKS.put(PvFeature.ASYNCPF, "pv kvm-asyncpf /");
        CHECKS.put(PvFeature.STEAL_TIME, "pv kvm-steal-time");
        CHECKS.put(PvFeature.PV_TLB_FLUSH, "pv kvm-pv-tlb-flush");
        CHECKS.put(PvFeature.PV_EOI, "pv kvm-pv-eoi");
        CHECKS.put(PvFeature.PV_IPI, "pv kvm-pv-ipi");
        CHECKS.put(PvFeature.POLL_CONTROL, "pv kvm-poll-control");
        CHECKS.put(PvFeature.PV_SCHED_YIELD, "pv kvm-pv-sched-yield");
        CHECKS.put(PvFeature.ASYNCPF_INT, "pv kvm-asyncpf /");
        CHECKS.put(PvFeature.PV_UNHALT, "pv kvm-pv-unhalt");
        // a hint with no interface: the proof is the bit itself, present or absent as configured
        CHECKS.put(PvFeature.NOPIODELAY, "pv cpuid: 0x40000001 eax as promised");
        CHECKS.put(PvFeature.MSI_EXT_DEST_ID, "pv kvm-msi-ext-dest-id"); // own machine: ExtDestMachine
    }

    enum Config {
        ON("on", "host,+%s", false), OFF("off", "host,-%s", false),
        ENFORCE("off+enforce", "host,-%s,kvm-pv-enforce-cpuid", true);

        final String label;
        final String cpuFormat;
        final boolean enforce;

        Config(String label, String cpuFormat, boolean enforce) {
            this.label = label;
            this.cpuFormat = cpuFormat;
            this.enforce = enforce;
        }

        /** This column for feature {@code f}: host with the feature on or off, enforced or not. */
        CellSetting setting(PvFeature f, int smp) {
            return new CellSetting(label, String.format(cpuFormat, f.qemuName()), this == ON, enforce, "", smp);
        }
    }

    /** One boot's verdict; {@code seconds} is the cell's wall time, boot and host evidence included. */
    record Cell(PvFeature feature, String config, String cpu, String status, String reason, String log, double seconds) {
        Cell(PvFeature feature, String config, String cpu, String status, String reason, String log) {
            this(feature, config, cpu, status, reason, log, 0);
        }

        Cell took(double wallSeconds) {
            return new Cell(feature, config, cpu, status, reason, log, wallSeconds);
        }
    }

    @Option(names = {"--smp", "-smp"}, paramLabel = "N", defaultValue = "2", description = "vCPUs (default: ${DEFAULT-VALUE};"
            + " kvm-pv-ipi needs 2)")
    int smp;

    @Option(names = "--feature", paramLabel = "NAME", split = ",", description = "only these features (QEMU names)")
    List<String> features;

    @Option(names = {"--kernel", "-kernel"}, paramLabel = "FILE",
            description = "test kernel (default: guest-images/target/pvtest.elf next to the launcher)")
    Path kernel;

    @Option(names = "--junit", paramLabel = "FILE", description = "also write the matrix as JUnit XML")
    Path junit;

    @Option(names = "--json", description = "print the matrix as JSON instead of a table")
    boolean json;

    @Option(names = "--hypercalls", paramLabel = "auto|vmcall|vmmcall|none",
            description = "hypercall instruction for the guest (default: none on kvm-pvm, where VMCALL/VMMCALL never"
                    + " return, else auto)")
    String hypercalls;

    @Option(names = "--verbose", description = "print each boot's serial output")
    boolean verbose;

    @Option(names = "--config", paramLabel = "FILE", description = {"also run your own cells from this JSON file:",
            "{\"cells\": [{\"feature\": \"kvm-pv-eoi\", \"cpu\": \"host,+kvm-pv-eoi,-x2apic\", \"name\": \"no x2apic\",",
            "\"append\": \"\", \"smp\": 2}]} (name, append and smp optional); with --config the standard",
            "columns run only for the features given with --feature"})
    Path config;

    @Override
    public Integer call() throws Exception {
        Path k = kernel != null ? kernel : defaultKernel();
        if (!Files.isReadable(k)) {
            throw new UserError("test kernel '" + k + "' not found; build it (mvn -q -DskipTests package) or pass --kernel");
        }
        List<UserCells.UserCell> own = config != null ? UserCells.read(config, CHECKS.keySet()) : List.of();
        List<PvFeature> chosen = new ArrayList<>();
        if (config != null && (features == null || features.isEmpty())) {
            // only the user's cells
        } else if (features == null || features.isEmpty()) {
            chosen.addAll(CHECKS.keySet());
        } else {
            for (String n : features) {
                PvFeature f = PvFeature.byName(n).orElseThrow(() -> new UserError("unknown PV feature '" + n + "'"));
                if (!CHECKS.containsKey(f)) {
                    throw new UserError("the test kernel has no check for " + f.qemuName() + "; checked: "
                            + String.join(", ", CHECKS.keySet().stream().map(PvFeature::qemuName).toList()));
                }
                chosen.add(f);
            }
        }
        if (junit != null) {
            ReportFile.checkWritable(junit, "JUnit report"); // before the first boot, not after minutes of them
        }
        List<CpuidEntry> host = CpuSelection.hostCpuid();
        int hostPv = hostPvBits(host);
        boolean pvm = Files.isDirectory(Path.of("/sys/module/kvm_pvm"));
        String hc = hypercalls != null ? hypercalls : pvm ? "none" : "auto";
        stable = hostClockStable(k);
        apicv = hostApicv(Path.of("/sys/module"));

        List<Cell> cells = new ArrayList<>();
        MatrixProgress progress = new MatrixProgress(System.err, chosen.size() * Config.values().length + own.size(),
                System.console() != null);
        for (PvFeature f : chosen) {
            for (Config c : Config.values()) {
                cells.add(timedCell(progress, k, f, c.setting(f, smp), host, hostPv, hc, pvm));
            }
        }
        List<Cell> ownCells = new ArrayList<>();
        for (UserCells.UserCell u : own) {
            CellSetting setting;
            try {
                setting = u.setting(host, ExtDestMachine.irqchip(u.feature()), smp);
            } catch (RuntimeException e) { // the CPU model does not resolve: that cell fails, the others run
                ownCells.add(new Cell(u.feature(), u.name(), u.cpu(), "fail", "cpu model: " + e.getMessage(), ""));
                continue;
            }
            ownCells.add(timedCell(progress, k, u.feature(), setting, host, hostPv, hc, pvm));
        }
        cells.addAll(ownCells);
        if (json) {
            System.out.println(MatrixJson.of(cells, hostPv, pvm, stable));
        } else {
            printMatrix(chosen, cells, ownCells);
        }
        if (junit != null) {
            ReportFile.write(junit, "JUnit report", MatrixJunitXml.of(cells));
        }
        return cells.stream().anyMatch(c -> c.status.equals("fail")) ? 1 : 0;
    }

    private boolean stable;
    private boolean apicv;

    /**
     * Longest one boot may take. A boot takes seconds here, but under nested KVM on QEMU TCG
     * (scripts/kvm-lab) on a loaded 2-core machine one kvm-poll-control boot ran past 90 s; only a
     * hung guest ever waits this long.
     */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);

    /**
     * Intel APICv or AMD AVIC enabled in the host's KVM module: then KVM does not track the in-service
     * vector and never sets the PV-EOI bit, so the guest may not require it (pvtest.apicv=1).
     */
    static boolean hostApicv(Path sysModule) {
        for (String p : List.of("kvm_intel/parameters/enable_apicv", "kvm_amd/parameters/avic")) {
            try {
                String v = Files.readString(sysModule.resolve(p)).trim();
                if (v.equals("Y") || v.equals("1")) return true;
            } catch (IOException e) {
                // module not loaded or parameter absent: no APIC virtualization from it
            }
        }
        return false;
    }

    /**
     * KVM_GET_CLOCK after a probe boot: KVM_CLOCK_TSC_STABLE (2) means KVM runs a master clock, so
     * a kvmclock-stable-bit guest must see PVCLOCK_TSC_STABLE_BIT. (A VM whose vCPUs never ran
     * reports 0: KVM decides once the vCPUs' TSCs are matched.)
     */
    boolean hostClockStable(Path k) {
        try {
            MachineConfig config = MachineConfig.validated(k, "pvtest.probe", 128L << 20, 1, "host");
            try (PcMachine m = PcMachine.create(config, new ByteArrayOutputStream(),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
                m.run(Duration.ofSeconds(30));
                return masterClock(m);
            }
        } catch (RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** KVM_GET_CLOCK's KVM_CLOCK_TSC_STABLE: KVM keeps one master clock for all vCPUs. */
    private static boolean masterClock(PcMachine m) {
        return (m.vm().fd().getClock().flags() & 2) != 0;
    }

    static int hostPvBits(List<CpuidEntry> host) {
        for (CpuidEntry e : host) {
            if (e.function() == PvFeature.KVM_CPUID_FEATURES) return e.eax();
        }
        return 0;
    }

    /** One cell, with its wall time and its progress line. */
    private Cell timedCell(MatrixProgress progress, Path k, PvFeature f, CellSetting c, List<CpuidEntry> host, int hostPv,
                           String hc, boolean pvm) {
        String what = f.qemuName() + " " + c.label();
        progress.starting(what);
        long start = System.nanoTime();
        Cell cell = runCell(k, f, c, host, hostPv, hc, pvm).took((System.nanoTime() - start) / 1e9);
        progress.finished(what, cell.status, cell.seconds);
        return cell;
    }

    private Cell runCell(Path k, PvFeature f, CellSetting c, List<CpuidEntry> host, int hostPv, String hc, boolean pvm) {
        String cpu = c.cpu();
        int smp = c.smp();
        int bits = f.mask();
        IrqchipMode irqchip = ExtDestMachine.irqchip(f);
        int offered = HostPvSupport.from(host, irqchip).eax(); // bit 15 is the VMM's, not KVM's, to offer
        if (c.on() && (offered & bits) != bits) {
            return new Cell(f, c.label(), cpu, "skip", "host lacks the bit (KVM_GET_SUPPORTED_CPUID 0x40000001 eax=0x"
                    + Integer.toHexString(hostPv) + ")", "");
        }
        if ((f == PvFeature.PV_IPI || f == PvFeature.PV_UNHALT || f == PvFeature.PV_TLB_FLUSH || ExtDestMachine.applies(f))
                && smp < 2) {
            return new Cell(f, c.label(), cpu, "skip", "needs --smp 2 or more", "");
        }
        CpuModel model;
        try {
            model = CpuModel.resolve(cpu, host, irqchip);
        } catch (RuntimeException e) {
            return new Cell(f, c.label(), cpu, "fail", "cpu model: " + e.getMessage(), "");
        }
        Map<String, Long> vcpu1Stats = null, vcpu0Stats = null;
        Optional<Map<String, Long>> kickWindow = Optional.empty(), preemptedWindow = Optional.empty();
        Optional<Map<String, Long>> apicEoiWindow = Optional.empty(), pvEoiWindow = Optional.empty();
        boolean statsOpen = false;
        StringBuilder append = new StringBuilder();
        append.append("pvtest.expect=0x").append(Integer.toHexString(model.eax()));
        append.append(" pvtest.hostpv=0x").append(Integer.toHexString(hostPv));
        append.append(" pvtest.hypercall=").append(hc);
        if (c.enforce()) append.append(" pvtest.enforce=1");
        if (stable) append.append(" pvtest.stable=1");
        append.append(" pvtest.leave-msrs=1"); // what the guest ended with stays for the host to read
        append.append(" pvtest.apicv=").append(apicv ? 1 : 0); // lets the guest assert the PV-EOI bit
        // the host's time, for the guest's wall clock check (taken before the VM exists, as the check assumes)
        append.append(" pvtest.epoch=").append(java.time.Instant.now().getEpochSecond());
        append.append(ExtDestMachine.append(f));
        boolean contention = contended(f);
        if (contention) append.append(" pvtest.contention=1"); // the guest may make the host take its CPU
        // only where the MSR works: pv_poll.c writes it without a #GP guard
        boolean shortHalts = f == PvFeature.POLL_CONTROL && expectation(f, c, hostPv) == PvAgreement.Expect.WORKS;
        if (shortHalts) append.append(" pvtest.shorthalts=100 pvtest.pollctl=1"); // the host must poll (pv_poll.c)
        if (pvm) append.append(" pvtest.pvm=1"); // kvm-pvm never sets the preempted byte: the guest may skip
        if (!c.append().isBlank()) append.append(' ').append(c.append().strip()); // a user cell's own words, last
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        VmOutcome outcome;
        Optional<String> hostView;
        try {
            MachineConfig config = MachineConfig.validated(k, append.toString(), 128L << 20, smp, cpu, irqchip)
                    .withApicIds(PvIpiMachine.apicIds(f, ExtDestMachine.apicIds(f, smp)));
            if (contention) config = config.withHostContention();
            try (PcMachine m = PcMachine.create(config, serial, new PrintStream(warnings, true, StandardCharsets.UTF_8))) {
                if (f == PvFeature.PV_TLB_FLUSH || f == PvFeature.PV_EOI || yields(f) || shortHalts) {
                    m.openKvmStats(); // vCPU 1's preemption counters, vCPU 0's directed-yield and halt-poll ones
                }
                if (REAL_CHECKS.containsKey(f)) {
                    try {
                        m.enablePageEvictPort(); // the guest takes a page away to meet a real async PF
                    } catch (IllegalStateException e) { // no userfaultfd: the guest's line says "no port"
                        warnings.writeBytes(("no page-eviction port: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
                outcome = m.run(BOOT_TIMEOUT);
                hostView = hostDisagreement(m, f, expectation(f, c, hostPv));
                if (f == PvFeature.PV_TLB_FLUSH) {
                    vcpu1Stats = m.kvmStatsChange(1);
                    preemptedWindow = m.kvmStatsWindow(TlbFlushEvidence.WINDOW);
                }
                if (f == PvFeature.PV_UNHALT) kickWindow = m.kvmStatsWindow(KickEvidence.WINDOW);
                if (f == PvFeature.PV_EOI) {
                    apicEoiWindow = m.kvmStatsWindow(PvEoiEvidence.APIC_WINDOW);
                    pvEoiWindow = m.kvmStatsWindow(PvEoiEvidence.PV_WINDOW);
                }
                statsOpen = m.kvmStatsChange(0) != null;
                if (verbose) {
                    for (int w = 1; w <= 255; w++) {
                        int id = w;
                        m.kvmStatsWindow(w).ifPresent(change -> warnings.writeBytes(("# host: stats window " + id + ": "
                                + nonZero(change) + "\n").getBytes(StandardCharsets.UTF_8)));
                    }
                }
                if (yields(f)) vcpu0Stats = m.kvmStatsChange(0);
                if (shortHalts && m.kvmStatsChange(0) != null) { // the short halts alone (pv_poll.c), when the host has stats
                    vcpu0Stats = m.kvmStatsWindow(HaltPollEvidence.WINDOW).orElse(Map.of());
                }
            }
        } catch (MachineException | IllegalArgumentException e) {
            return new Cell(f, c.label(), cpu, "fail", "boot: " + e.getMessage(), serial.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Cell(f, c.label(), cpu, "fail", "interrupted", "");
        }
        String log = serial.toString(StandardCharsets.UTF_8);
        if (verbose) {
            System.err.println("=== " + f.qemuName() + " " + c.label() + " (-cpu " + cpu + ")\n" + warnings + log);
        }
        Cell guest = judge(f, c, cpu, log, outcome, hc, pvm);
        if (guest.status.equals("pass") && hostView.isPresent()) {
            return new Cell(f, c.label(), cpu, "fail", "host disagrees: " + hostView.get(), log);
        }
        HostStats measured = new HostStats(statsOpen, vcpu0Stats, vcpu1Stats, kickWindow, preemptedWindow, apicEoiWindow,
                pvEoiWindow, PvEoiEvidence.pvAcks(log));
        Optional<String> stats = statsDisagreement(f, c, guest, shortHalts, hostPv, yieldingCalls(model, c, hostPv, smp),
                measured, apicv);
        if (stats.isPresent()) return new Cell(f, c.label(), cpu, "fail", "host disagrees: " + stats.get(), log);
        if (shortHalts && guest.status.equals("pass")) { // the host's own counters say why it could not poll
            Optional<String> cannot = HaltPollEvidence.cannotShow(expectation(f, c, hostPv), vcpu0Stats,
                    HaltPollEvidence.hostHaltPollNs());
            if (cannot.isPresent()) return new Cell(f, c.label(), cpu, "skip", cannot.get(), log);
        }
        return guest;
    }

    /**
     * The host's KVM binary stats against the guest's verdict, for the rows that have such evidence:
     * halt polls for kvm-poll-control (short halts), directed yields for kvm-pv-sched-yield and kvm-pv-unhalt, vCPU 1's
     * preemption counters for kvm-pv-tlb-flush (also behind its kvm-pvm skip). Empty = agrees.
     */
    private static Optional<String> statsDisagreement(PvFeature f, CellSetting c, Cell guest, boolean shortHalts, int hostPv,
                                                      DirectedYieldEvidence.Calls yieldingCalls, HostStats host,
                                                      boolean apicv) {
        boolean pass = guest.status.equals("pass");
        PvAgreement.Expect expect = expectation(f, c, hostPv);
        if (shortHalts && pass) {
            return HaltPollEvidence.check(expect, host.vcpu0(), HaltPollEvidence.hostHaltPollNs());
        }
        if (yields(f) && pass) { // the guest passed: its hypercalls ran (not "hypercalls not tried")
            Optional<String> yield = DirectedYieldEvidence.check(yieldingCalls, host.vcpu0());
            if (yield.isPresent() || f != PvFeature.PV_UNHALT) return yield;
            return host.available() ? KickEvidence.check(expect, host.kickWindow(), apicv) : Optional.empty();
        }
        if (f == PvFeature.PV_EOI) { // passed with the MSR usable: the guest saw the bit and acked through it
            return PvEoiEvidence.check(pass && expect == PvAgreement.Expect.WORKS, host.apicEoiWindow(),
                    host.pvEoiWindow(), host.pvEoiAcks(), host.available());
        }
        if (f == PvFeature.PV_TLB_FLUSH && (pass || guest.reason.startsWith(NO_PREEMPTION_SKIP))) {
            Optional<String> preempted = PreemptionEvidence.check(pass, host.vcpu1());
            if (preempted.isPresent()) return preempted;
            // passed where the flush bit is usable: the guest set it and saw KVM clear it
            return TlbFlushEvidence.check(pass && expect == PvAgreement.Expect.WORKS, host.preemptedWindow(),
                    host.vcpu1() != null);
        }
        return Optional.empty();
    }

    /**
     * What the host's KVM binary stats said of one boot: vCPU 0's and vCPU 1's whole-run changes
     * (null where not read or not available) and the windows the guest bracketed.
     */
    record HostStats(boolean available, Map<String, Long> vcpu0, Map<String, Long> vcpu1,
                     Optional<Map<String, Long>> kickWindow, Optional<Map<String, Long>> preemptedWindow,
                     Optional<Map<String, Long>> apicEoiWindow, Optional<Map<String, Long>> pvEoiWindow,
                     java.util.OptionalInt pvEoiAcks) {
    }

    /** "name=value ..." of the counters that moved. */
    private static String nonZero(Map<String, Long> change) {
        StringBuilder sb = new StringBuilder();
        change.forEach((name, v) -> {
            if (v != 0) sb.append(sb.isEmpty() ? "" : " ").append(name).append('=').append(v);
        });
        return sb.toString();
    }

    /** Rows whose hypercall goes through KVM's kvm_sched_yield(), counted in directed_yield_attempted. */
    static boolean yields(PvFeature f) {
        return f == PvFeature.PV_SCHED_YIELD || f == PvFeature.PV_UNHALT;
    }

    /**
     * Rows whose "on" cell also needs a second TAP line: the feature really doing its job, beyond its
     * MSRs. kvm-asyncpf-int: a real asynchronous page fault, "page not present" then "page ready"
     * with the same token (pv_asyncpf.c; those boots get the page-eviction port). The off columns
     * are judged by the MSR line alone: with the bit off there is nothing more to show.
     */
    static final Map<PvFeature, String> REAL_CHECKS = Map.of(
            PvFeature.ASYNCPF_INT, "pv kvm-asyncpf-int: real async page fault");

    /** How the test kernel's kvm-pv-tlb-flush skip begins when it never saw the byte on kvm-pvm (pv_steal.c). */
    static final String NO_PREEMPTION_SKIP = "kvm-pvm never marks a vCPU preempted";

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
    private static Optional<String> hostDisagreement(PcMachine m, PvFeature f, PvAgreement.Expect expect)
            throws InterruptedException {
        if (!PvAgreement.hasEvidence(f)) return Optional.empty();
        try {
            return PvAgreement.check(f, expect, m.pvEntries(0), masterClock(m));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.of("could not read vCPU 0's MSRs: " + e);
        }
    }

    /** Turns one boot's TAP into a cell: the feature's own line decides, any other failure fails it too. */
    static Cell judge(PvFeature f, CellSetting setting, String cpu, String log, VmOutcome outcome, String hc, boolean pvm) {
        String c = setting.label();
        String prefix = CHECKS.get(f);
        String realPrefix = setting.on() ? REAL_CHECKS.get(f) : null;
        String own = null, real = null;
        List<String> otherFailures = new ArrayList<>();
        for (String line : log.split("\n")) {
            String desc = tapDescription(line);
            if (desc == null) continue;
            if (realPrefix != null && desc.startsWith(realPrefix)) real = line;
            if (desc.startsWith(prefix)) own = line;
            else if (line.startsWith("not ok")) otherFailures.add(line);
        }
        if (outcome != null && !outcome.isPowerOff()) {
            return new Cell(f, c, cpu, "fail", "VM did not end normally: " + outcome.report().lines().findFirst().orElse(""), log);
        }
        if (own == null) {
            return new Cell(f, c, cpu, "fail", "the guest printed no '" + prefix + "' line", log);
        }
        if (own.startsWith("not ok")) {
            return new Cell(f, c, cpu, "fail", own, log);
        }
        if (!otherFailures.isEmpty()) {
            return new Cell(f, c, cpu, "fail", "other test failed: " + otherFailures.get(0), log);
        }
        if (realPrefix != null) {
            if (real == null) return new Cell(f, c, cpu, "fail", "the guest printed no '" + realPrefix + "' line", log);
            int realSkip = real.indexOf(" # SKIP ");
            // the MSR line passed; the feature's real effect was not shown: say why
            if (realSkip >= 0 && own.indexOf(" # SKIP ") < 0) {
                return new Cell(f, c, cpu, "skip", "MSRs work, but no real async page fault: " + real.substring(realSkip + 8), log);
            }
        }
        int skip = own.indexOf(" # SKIP ");
        if (skip >= 0) {
            String reason = own.substring(skip + 8);
            if (pvm && "none".equals(hc) && reason.startsWith("hypercalls not enabled")) {
                reason = "hypercalls not tried: VMCALL/VMMCALL never return under kvm-pvm (--hypercalls auto to force)";
            }
            return new Cell(f, c, cpu, "skip", reason, log);
        }
        return new Cell(f, c, cpu, "pass", "", log);
    }

    /** "ok 6 - desc # SKIP x" -> "desc # SKIP x"; null for non-test lines. */
    static String tapDescription(String line) {
        if (!line.startsWith("ok ") && !line.startsWith("not ok ")) return null;
        int dash = line.indexOf(" - ");
        return dash < 0 ? "" : line.substring(dash + 3);
    }

    private void printMatrix(List<PvFeature> chosen, List<Cell> cells, List<Cell> ownCells) {
        System.out.printf("%-22s %-6s %-6s %s%n", "feature", "on", "off", "off+enforce");
        List<String> notes = new ArrayList<>();
        for (PvFeature f : chosen) {
            StringBuilder row = new StringBuilder(String.format("%-22s", f.qemuName()));
            for (Config c : Config.values()) {
                Cell cell = cells.stream().filter(x -> x.feature == f && x.config.equals(c.label)).findFirst().orElseThrow();
                row.append(' ').append(String.format(c == Config.ENFORCE ? "%-12s" : "%-6s", cell.status));
                if (!cell.reason.isEmpty()) {
                    notes.add(f.qemuName() + " " + c.label + " (-cpu " + cell.cpu + "): " + cell.status + ": " + cell.reason);
                }
            }
            System.out.println(row.toString().stripTrailing());
        }
        for (String n : notes) System.out.println("  " + n);
        for (Cell own : ownCells) { // the user's cells, one line each
            System.out.println(String.format("%-22s %s: %s", own.feature.qemuName(), own.config + " (-cpu " + own.cpu + ")",
                    own.status) + (own.reason.isEmpty() ? "" : ": " + own.reason));
        }
        long pass = cells.stream().filter(x -> x.status.equals("pass")).count();
        long fail = cells.stream().filter(x -> x.status.equals("fail")).count();
        long skip = cells.stream().filter(x -> x.status.equals("skip")).count();
        System.out.println(pass + " passed, " + fail + " failed, " + skip + " skipped");
    }

    /** guest-images/target/pvtest.elf relative to the jar (vmm-cli/target/vmm-cli.jar), else to the working directory. */
    static Path defaultKernel() {
        try {
            Path jar = Path.of(TestCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() != null && jar.getParent().getParent() != null
                    ? jar.getParent().getParent().getParent() : null;
            if (root != null) {
                Path p = root.resolve("guest-images/target/pvtest.elf");
                if (Files.exists(p)) return p;
            }
        } catch (Exception e) {
            // fall through
        }
        return Path.of("guest-images/target/pvtest.elf");
    }
}
