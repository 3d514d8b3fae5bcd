package dev.vmm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmm.cli.monitor.ChardevSpec;
import dev.vmm.cli.monitor.QmpServer;
import dev.vmm.cli.monitor.SerialSocket;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.cli.gdb.GdbOption;
import dev.vmm.cli.gdb.GdbServer;
import dev.vmm.debug.GuestDebugger;
import dev.vmm.exits.ExitObservers;
import dev.vmm.exits.ExitStats;
import dev.vmm.exits.ExitTrace;
import dev.vmm.machine.MachineConfig;
import dev.vmm.machine.PcMachine;
import dev.vmm.machine.TestDevice;
import dev.vmm.vm.VmOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code vmm run}: boots a kernel and exits with the guest's status. QEMU's single-dash spellings
 * are accepted so that command lines written for QEMU keep working.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Boot a kernel (PVH ELF, Linux bzImage/vmlinux or multiboot) and exit with the guest's status.",
                "The exit status is the value the guest wrote to isa-debug-exit (port 0xf4);",
                "--exit-code qemu gives QEMU's (value << 1) | 1 instead. A VM failure (triple fault,",
                "KVM internal error) exits with " + VmOutcome.FAILURE_STATUS + "."})
public final class RunCommand implements Callable<Integer> {
    enum ExitCodeStyle { vmm, qemu }

    // Checked in toConfig rather than by picocli, so that a mistyped option is reported first.
    @Option(names = {"--kernel", "-kernel"}, paramLabel = "FILE", description = "The kernel image (required).")
    Path kernel;

    @Option(names = {"--append", "-append"}, paramLabel = "STR",
            description = "kernel command line (Linux default: " + dev.vmm.boot.KernelLoader.LINUX_DEFAULT_CMDLINE + ")")
    String append;

    @Option(names = {"--initrd", "-initrd"}, paramLabel = "FILE", description = "initial RAM disk (Linux kernels)")
    Path initrd;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "128M",
            description = "guest RAM, MiB unless suffixed K/M/G/T (default: ${DEFAULT-VALUE})")
    String memory;

    @Option(names = {"--mem-path", "-mem-path"}, paramLabel = "DIR|FILE",
            description = "guest RAM in a shared mapping of a file: a new unlinked file in DIR, or FILE (kept);"
                    + " also gives the guest the page-eviction test port 0x530")
    Path memPath;

    @Option(names = {"--evict-port"}, description = "give the guest the page-eviction test port 0x530 with anonymous RAM"
            + " too (the page is taken away with userfaultfd and given back on first touch)")
    boolean evictPort;

    @Option(names = {"--smp", "-smp"}, paramLabel = "[cpus=]N[,sockets=S,cores=C,threads=T,maxcpus=N]", defaultValue = "1",
            description = "Number of vCPUs, in QEMU's topology forms too (the topology is checked as QEMU does,"
                    + " but the guest sees APIC IDs 0..N-1).")
    String smp;

    @Option(names = {"--apic-ids"}, paramLabel = "ID,ID,...", description = "APIC ID of each vCPU, one per --smp vCPU,"
            + " the first 0 (default 0..N-1); IDs from 255 up need -M kernel-irqchip=split and x2APIC")
    String apicIds;

    @Mixin
    CpuOptions cpuOptions;

    @Mixin
    QemuOptions qemuOptions;

    @Option(names = {"--qmp", "-qmp"}, paramLabel = "unix:PATH|tcp:HOST:PORT[,server=on,wait=off]",
            description = "serve a QMP monitor on this socket")
    String qmp;

    @Option(names = {"--serial", "-serial"}, paramLabel = "stdio|null|file:PATH|chardev:ID|unix:PATH|tcp:HOST:PORT|telnet:HOST:PORT",
            description = "Where COM1 goes (default: stdio; none with -nodefaults).")
    java.util.List<String> serial = new java.util.ArrayList<>();

    @Option(names = {"-gdb", "--gdb"}, paramLabel = "tcp:[HOST]:PORT|unix:PATH",
            description = "serve a gdb remote stub on this socket (QEMU's -gdb); see also -s and -S")
    String gdb;

    @Option(names = {"-s"}, description = "shorthand for -gdb tcp::" + GdbOption.DEFAULT_PORT)
    boolean gdbDefault;

    @Option(names = {"-S"}, description = "do not start the vCPUs until a debugger (or QMP cont) lets them run")
    boolean startPaused;

    @Option(names = {"--exit-code"}, paramLabel = "vmm|qemu", defaultValue = "vmm",
            description = "vmm: exit with the guest's value; qemu: (value << 1) | 1")
    ExitCodeStyle exitCode;

    @Option(names = {"--no-reboot", "-no-reboot"},
            description = "a guest reset ends the run with status 0 instead of rebooting the guest")
    boolean noReboot;

    @Option(names = {"--no-shutdown", "-no-shutdown"},
            description = "As QEMU's -no-shutdown: after a guest power-off (not isa-debug-exit) vmm keeps serving"
                    + " the QMP monitor until its client sends quit. Needs -qmp or -mon.")
    boolean noShutdown;

    @Option(names = {"--seccomp"}, paramLabel = "on|off", defaultValue = "on",
            description = "on (default): each vCPU thread refuses exec, fork, ptrace, module loading, mounts,"
                    + " new sockets and the like with EPERM (docs/hardening.md); off: no filter")
    String seccomp;

    @Option(names = {"--timeout"}, paramLabel = "SECONDS", description = "stop the guest after this long (exit status "
            + VmOutcome.FAILURE_STATUS + ")")
    Integer timeoutSeconds;

    @Option(names = {"--pv-report"}, description = "after the guest ends, print the host's view of every vCPU's PV MSRs"
            + " (KVM_GET_MSRS) and the kvmclock structure the guest registered, as '# host: ...' lines")
    boolean pvReport;

    @Option(names = {"--kvm-stats"}, description = "after the guest ends, print every vCPU's KVM binary stats"
            + " (KVM_GET_STATS_FD) that changed during the run, as '# stats: vcpu N name=delta ...' lines")
    boolean kvmStats;

    @Option(names = {"--trace", "-trace"}, paramLabel = "exits[,file=PATH]",
            description = "write one line per KVM_RUN exit (time, vCPU, reason, port/MMIO access, device, RIP)"
                    + " to stderr or PATH")
    String trace;

    @Option(names = {"--exit-stats"}, description = "after the guest ends, print counts and handling time per exit"
            + " reason, I/O port, MMIO address and vCPU, with KVM's own statistics (--kvm-stats) next to them;"
            + " QMP x-query-exit-stats returns them while the guest runs")
    boolean exitStats;

    @Option(names = {"--host-contention"}, description = "add the test device on ports 0x5e0-0x5e7 with which the guest"
            + " makes the host take a CPU from its vCPU (the test kernel's pvtest.contention=1 steal-time checks)")
    boolean hostContention;

    @Option(names = {"--timings"}, description = "print on stderr the time from JVM start to the guest's first"
            + " serial byte and to the end of the run")
    boolean timings;

    // Off by default: a run's stderr is kept for failures and warnings (tests expect it empty).
    @Option(names = {"-v", "--verbose"}, description = "print on stderr how the kernel is booted"
            + " ('vmm: booting FILE as FORMAT (protocol)')")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        dev.vmm.startup.StartupClock.mark("options parsed");
        if (QemuHelp.printIfAsked(cpuOptions, System.out)) {
            return 0; // QEMU's -cpu help / -M help: a list, no guest
        }
        if (!seccomp.equals("on") && !seccomp.equals("off")) {
            throw new UserError("--seccomp takes on or off, not '" + seccomp + "'");
        }
        if (seccomp.equals("off")) {
            System.setProperty(dev.vmm.vm.VcpuSeccomp.PROPERTY, "off"); // read by each vCPU thread as it starts
        }
        MachineConfig config = toConfig().withNoReboot(noReboot);
        java.util.Map<String, SerialTarget> chardevs = qemuOptions.chardevMap();
        SerialTarget.Socket mon = qemuOptions.monitorSocket(chardevs);
        if (mon != null && qmp != null) {
            throw new UserError("-mon and -qmp both ask for a QMP monitor; vmm serves one");
        }
        ChardevSpec qmpSpec = mon != null ? mon.spec() : qmp == null ? null : parseSpec("--qmp", qmp);
        if (noShutdown && qmpSpec == null) {
            throw new UserError("-no-shutdown needs a QMP monitor (-qmp or -mon): without one the stopped guest could never be quit");
        }
        SerialTarget serialTarget = SerialTarget.resolve(serial, chardevs, qemuOptions.nodefaults);
        ChardevSpec serialSpec = serialTarget instanceof SerialTarget.Socket s ? s.spec() : null;
        boolean stdio = serialTarget instanceof SerialTarget.Stdio;
        boolean debugExited = false;
        ChardevSpec gdbSpec = GdbOption.spec(gdb, gdbDefault);
        ExitTraceOption traceOption = ExitTraceOption.parse(trace);
        AtomicReference<PcMachine> running = new AtomicReference<>();
        SerialSocket serialSocket = null;
        QmpServer qmpServer = null;
        GdbServer gdbServer = null;
        java.io.PrintStream traceOut = null;
        java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
        VmOutcome outcome;
        try {
            // Serial output goes to the real stdout, unbuffered by Java's System.out line discipline.
            OutputStream console = stdio ? new FileOutputStream(FileDescriptor.out)
                    : serialTarget instanceof SerialTarget.File f ? Files.newOutputStream(f.path())
                    : OutputStream.nullOutputStream();
            if (serialSpec != null) {
                serialSocket = new SerialSocket(serialSpec, ((SerialTarget.Socket) serialTarget).telnet(), bytes -> {
                    PcMachine m = running.get();
                    if (m != null) m.sendToSerial(bytes);
                });
                console = serialSocket;
            }
            try (PcMachine machine = PcMachine.create(config, console)) {
                running.set(machine);
                if (verbose) {
                    System.err.println("vmm: booting " + config.kernel() + " as " + machine.bootFormat().description()
                            + " on machine " + cpuOptions.machineOption().type()
                            + (qemuOptions.name == null ? "" : " (name " + qemuOptions.name + ")"));
                    machine.traceMsis(System.err); // where IOAPIC interrupts went (split irqchip)
                }
                if (stdio) {
                    machine.forwardStdin();
                }
                MachineMonitor monitor = new MachineMonitor(machine);
                if (qmpSpec != null) {
                    QmpServer server = new QmpServer(qmpSpec, monitor);
                    qmpServer = server;
                    machine.vm().addResetListener(() -> {
                        boolean host = monitor.takeHostReset();
                        server.emit("RESET", QmpServer.data().put("guest", !host)
                                .put("reason", host ? "host-qmp-system-reset" : "guest-reset"));
                    });
                }
                java.util.List<dev.vmm.vm.ExitObserver> observers = new java.util.ArrayList<>();
                if (traceOption != null) {
                    traceOut = traceOption.open();
                    observers.add(new ExitTrace(traceOut, machine.vm().io(), machine.vm().mmio()));
                }
                ExitStats stats = exitStats ? new ExitStats(machine.vm().cpuCount()) : null;
                if (stats != null) {
                    observers.add(stats);
                    monitor.setExitStats(stats);
                }
                machine.vm().observeExits(ExitObservers.of(observers));
                if (gdbSpec != null) {
                    gdbServer = new GdbServer(gdbSpec, GuestDebugger.attach(machine.vm()));
                }
                Thread onSignal = stopOnSignal(machine.vm(), reported);
                outcome = machine.run(timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds), startPaused);
                long endMillis = System.currentTimeMillis();
                dev.vmm.startup.StartupClock.mark("guest exit");
                debugExited = machine.endedByDebugExit();
                if (pvReport) {
                    printLines(console, HostEvidenceLines.pvMsrs(machine.pvMsrs()));
                }
                if (stats != null) {
                    printLines(console, ExitStats.format(stats.snapshot()));
                }
                if (kvmStats || exitStats) {
                    printLines(console, HostEvidenceLines.kvmStats(machine.kvmStatsChanges()));
                }
                if (timings) {
                    System.err.println(timingLine(machine.firstSerialByteMillis(), endMillis));
                    StartupTimings.print(System.err);
                }
                if (qmpServer != null) {
                    ObjectNode data = QmpServer.data().put("guest", !monitor.quitRequested())
                            .put("reason", monitor.quitRequested() ? "host-qmp-quit"
                                    : outcome.isPowerOff() ? "guest-shutdown" : "guest-panic");
                    qmpServer.emit("SHUTDOWN", data);
                    if (noShutdown && outcome.isPowerOff() && !debugExited) {
                        monitor.awaitQuit(); // QEMU's -no-shutdown: the stopped guest stays until quit
                    }
                }
            }
        } catch (dev.vmm.machine.MachineException e) {
            throw new UserError(e.getMessage(), 1);
        } catch (java.io.IOException e) {
            throw new UserError(e.getMessage(), 1);
        } finally {
            if (traceOut != null) traceOut.flush();
            if (traceOut != null && traceOut != System.err) traceOut.close();
            if (gdbServer != null) gdbServer.close();
            if (qmpServer != null) qmpServer.close();
            if (serialSocket != null) serialSocket.close();
        }
        if (!outcome.isPowerOff()) {
            System.err.print(outcome.report().endsWith("\n") ? outcome.report() : outcome.report() + "\n");
            System.err.flush();
            reported.countDown();
            return outcome.exitStatus();
        }
        reported.countDown();
        // QEMU's isa-debug-exit exits with (value << 1) | 1; its other power-offs (ACPI, quit) exit 0.
        return exitCode == ExitCodeStyle.qemu && debugExited ? (outcome.exitStatus() << 1) | 1 : outcome.exitStatus();
    }

    /**
     * SIGTERM (or SIGINT) while the guest runs: stop it with every vCPU's registers in the report,
     * which the main thread prints as for a timeout, before the JVM exits.
     */
    private static Thread stopOnSignal(dev.vmm.vm.Vm vm, java.util.concurrent.CountDownLatch reported) {
        Thread hook = new Thread(() -> {
            if (vm.hasEnded()) {
                return;
            }
            vm.stopWithRegisters("vmm: terminated by a signal; stopped the guest");
            try {
                reported.await(3, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vmm-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Host-side reports go to the console after the guest's own output, one line each. */
    private static void printLines(OutputStream console, java.util.List<String> lines) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) sb.append(line).append('\n');
        console.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        console.flush();
    }

    /**
     * Milliseconds from the JVM's start to the first serial byte and to the end. (The kernel's
     * process start time is only known to the second via /proc's boot time, too coarse here.)
     */
    static String timingLine(long firstByteMillis, long endMillis) {
        long start = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        String first = firstByteMillis == 0 ? "none" : (firstByteMillis - start) + " ms";
        return "vmm: timings: first serial byte " + first + ", run ended " + (endMillis - start) + " ms after JVM start";
    }

    private static ChardevSpec parseSpec(String option, String text) {
        try {
            return ChardevSpec.parse(option, text);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /**
     * Set by {@code vmm qemu}: the machine starts as QEMU's does, without vmm's own isa-debug-exit at
     * 0xf4 (a harness adds one with -device), and exits with QEMU's status convention.
     */
    boolean qemuDefaults;

    MachineConfig toConfig() {
        if (timeoutSeconds != null && timeoutSeconds <= 0) {
            throw new UserError("invalid --timeout " + timeoutSeconds + ": give a number of seconds, at least 1");
        }
        if (kernel == null) {
            throw new UserError("missing required option --kernel FILE (or -kernel FILE)");
        }
        if (!Files.exists(kernel)) {
            throw new UserError("kernel '" + kernel + "' does not exist");
        }
        if (!Files.isReadable(kernel) || Files.isDirectory(kernel)) {
            throw new UserError("kernel '" + kernel + "' is not a readable file");
        }
        if (initrd != null && (!Files.isRegularFile(initrd) || !Files.isReadable(initrd))) {
            throw new UserError("initrd '" + initrd + "' does not exist or is not a readable file");
        }
        long ram = MemorySize.parse(memory);
        SmpTopology topology = SmpTopology.parse(smp);
        int cpus = topology.cpus();
        if (!topology.isFlat()) {
            System.err.println("vmm: warning: -smp " + smp + ": the guest gets " + cpus
                    + " vCPUs with APIC IDs 0.." + (cpus - 1) + ", not this socket/thread topology");
        }
        IrqchipMode accelIrqchip = qemuOptions.check();
        IrqchipMode irqchip = accelIrqchip != null ? accelIrqchip : cpuOptions.irqchip();
        if (irqchip == IrqchipMode.OFF) {
            throw new UserError("kernel-irqchip=off is not supported by vmm run: it would need a LAPIC in user space (use on or split)");
        }
        java.util.List<dev.vmm.machine.DebugExitPorts> debugExits = qemuOptions.debugExits();
        // -cpu/-machine syntax is a command-line error (status 2, as for cpuid and features); what the
        // host cannot give is found later, when the machine resolves the model (status 1)
        CpuSelection.parse(cpuOptions.cpu, cpuOptions.machine);
        try {
            MachineConfig config = MachineConfig.validated(kernel, append, ram, cpus,
                    CpuSelection.forMachine(cpuOptions.cpu, cpuOptions.machine), irqchip);
            if (debugExits != null) config = config.withDebugExits(debugExits);
            else if (qemuDefaults) config = config.withDebugExits(java.util.List.of());
            if (apicIds != null) config = config.withApicIds(dev.vmm.machine.ApicIds.parse(apicIds));
            if (hostContention) config = config.withTestDevice(TestDevice.HOST_CONTENTION);
            if (evictPort) config = config.withTestDevice(TestDevice.PAGE_EVICT); // without userfaultfd: a warning, no port
            if (kvmStats || exitStats) config = config.withTestDevice(TestDevice.KVM_STATS_WINDOW);
            if (memPath != null) {
                Path parent = memPath.toAbsolutePath().getParent();
                if (!Files.isDirectory(memPath) && (parent == null || !Files.isDirectory(parent))) {
                    throw new UserError("--mem-path '" + memPath + "': neither a directory nor a file in an existing directory");
                }
                config = config.withMemPath(memPath);
            }
            return initrd == null ? config : config.withInitrd(initrd);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
