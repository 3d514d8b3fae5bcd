package dev.vmm.machine;

import dev.vmm.boot.BootException;
import dev.vmm.boot.BootOptions;
import dev.vmm.boot.BootPlan;
import dev.vmm.boot.KernelLoader;
import dev.vmm.cpu.CpuModel;
import dev.vmm.kvm.KvmException;
import dev.vmm.bus.IrqLine;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.cpu.PvFeature;
import dev.vmm.devices.DebugExit;
import dev.vmm.devices.IoApic;
import dev.vmm.devices.FwCfg;
import dev.vmm.devices.HostContention;
import dev.vmm.devices.AcpiSleepControl;
import dev.vmm.devices.I8042;
import dev.vmm.devices.PageEvictPort;
import dev.vmm.firmware.Acpi;
import dev.vmm.devices.PostCodePort;
import dev.vmm.devices.Uart8250;
import dev.vmm.vm.BootState;
import dev.vmm.vm.Vm;
import dev.vmm.vm.VmOutcome;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;

/**
 * The board: a KVM VM with the devices of a minimal PC (COM1, isa-debug-exit, the POST port,
 * fw_cfg) and a kernel loaded by its boot protocol. This is what {@code vmm run} and the
 * integration tests start.
 */
public final class PcMachine implements AutoCloseable {
    private final Vm vm;
    private final Uart8250 serial;
    private final CpuModel cpuModel;
    private final KernelLoader.Format bootFormat;
    private final java.util.concurrent.atomic.AtomicBoolean debugExited;

    private PcMachine(Vm vm, Uart8250 serial, CpuModel cpuModel, KernelLoader.Format bootFormat,
                      java.util.concurrent.atomic.AtomicBoolean debugExited) {
        this.vm = vm;
        this.debugExited = debugExited;
        this.serial = serial;
        this.cpuModel = cpuModel;
        this.bootFormat = bootFormat;
    }

    /**
     * Builds the machine and loads the kernel. Bad input (unreadable or unknown kernel, a CPU
     * model the host cannot give, a VM KVM refuses) becomes a {@link MachineException} whose
     * message is one line for the user. CPU model warnings go to {@code warnings}.
     */
    public static PcMachine create(MachineConfig config, OutputStream console, PrintStream warnings) {
        byte[] kernel;
        try {
            kernel = Files.readAllBytes(config.kernel());
        } catch (IOException e) {
            throw new MachineException("cannot read kernel '" + config.kernel() + "': " + e.getMessage());
        }
        BootPlan plan;
        KernelLoader.Format format;
        try {
            format = KernelLoader.detect(kernel, config.kernel().toString());
            String cmdline = config.cmdline() != null ? config.cmdline()
                    : format.isLinux() || config.initrd() != null ? KernelLoader.LINUX_DEFAULT_CMDLINE : "";
            BootOptions options = BootOptions.of(config.kernel().toString(), cmdline, config.ramSize(),
                    config.cpuCount()).withApicIds(config.apicIds());
            if (config.initrd() != null) {
                if (format == KernelLoader.Format.MULTIBOOT) {
                    throw new MachineException("--initrd needs a Linux (bzImage, vmlinux) or PVH kernel, '"
                            + config.kernel() + "' is a multiboot kernel");
                }
                try {
                    options = options.withInitrd(Files.readAllBytes(config.initrd()));
                } catch (IOException e) {
                    throw new MachineException("cannot read initrd '" + config.initrd() + "': " + e.getMessage());
                }
            }
            plan = KernelLoader.load(kernel, options);
        } catch (BootException e) {
            throw new MachineException(e.getMessage());
        }
        CpuModels.checkSyntax(config.cpuSpec());
        Vm vm;
        try {
            vm = Vm.create(config.ramSize(), config.apicIds(), config.irqchip(), config.memPath());
        } catch (KvmException | IllegalArgumentException | IllegalStateException e) {
            throw new MachineException(e.getMessage(), e);
        }
        try {
            CpuModel model = CpuModels.resolve(config.cpuSpec(), vm, warnings);
            if (ApicIds.needsX2apic(config.apicIds()) && !model.x2apic()) {
                throw new MachineException("APIC IDs from " + ApicIds.FIRST_X2APIC_ONLY
                        + " up need x2APIC, which -cpu " + config.cpuSpec() + " does not give the guest");
            }
            BootState.load(plan, vm.memory(), vm.vcpu(0));
            // A reset puts the vCPUs back at power-on and then runs the same boot plan again.
            vm.setReloadHook(() -> BootState.load(plan, vm.memory(), vm.vcpu(0)));
            vm.setMsiExtendedDestination(model.isOn(PvFeature.MSI_EXT_DEST_ID));
            IrqLine serialIrq = vm.isaIrq(Uart8250.COM1_IRQ);
            if (config.irqchip() == IrqchipMode.SPLIT) {
                // Only the LAPICs are in the kernel: the IOAPIC lives here and signals MSIs.
                IoApic ioapic = new IoApic(vm::signalMsi);
                vm.mmio().register(IoApic.BASE, IoApic.SIZE, ioapic);
                serialIrq = ioapic.pin(Uart8250.COM1_IRQ);
            }
            Uart8250 serial = new Uart8250(Uart8250.COM1_BASE, console, serialIrq);
            vm.io().register(Uart8250.COM1_BASE, Uart8250.PORT_COUNT, serial);
            java.util.concurrent.atomic.AtomicBoolean debugExited = new java.util.concurrent.atomic.AtomicBoolean();
            registerDebugExits(vm, config, debugExited);
            vm.io().register(PostCodePort.PORT, 1, new PostCodePort());
            I8042 i8042 = new I8042(vm);
            vm.io().register(I8042.DATA_PORT, 1, i8042);
            vm.io().register(I8042.COMMAND_PORT, 1, i8042);
            vm.io().register(Acpi.SLEEP_CONTROL_PORT, 2, new AcpiSleepControl(Acpi.SLEEP_CONTROL_PORT, vm));
            vm.io().register(FwCfg.SELECTOR_PORT, 2, new FwCfg(config.cpuCount(), config.ramSize()));
            if (config.hostContention()) {
                vm.io().register(HostContention.BASE, HostContention.SIZE, new HostContention());
            }
            PcMachine machine = new PcMachine(vm, serial, model, format, debugExited);
            // file-backed RAM: its pages are page cache the guest may want dropped (async PF tests)
            if (config.memPath() != null) machine.enablePageEvictPort();
            return machine;
        } catch (RuntimeException e) {
            vm.close();
            if (e instanceof MachineException) throw e;
            if (e instanceof KvmException) throw new MachineException(e.getMessage(), e);
            throw e;
        }
    }

    /**
     * The configured isa-debug-exit devices. Each tells {@code debugExited} when it ends the VM, so
     * that a QEMU-style exit status ((value << 1) | 1) is given only for them, not for an ACPI
     * power-off or a QMP quit (QEMU exits 0 there).
     */
    private static void registerDebugExits(Vm vm, MachineConfig config, java.util.concurrent.atomic.AtomicBoolean debugExited) {
        dev.vmm.bus.MachineControl control = new dev.vmm.bus.MachineControl() {
            @Override
            public void powerOff(int exitStatus) {
                debugExited.set(true);
                vm.powerOff(exitStatus);
            }

            @Override
            public void reset() {
                vm.reset();
            }
        };
        for (DebugExitPorts ports : config.debugExits()) {
            try {
                vm.io().register(ports.iobase(), ports.iosize(), new DebugExit(control));
            } catch (IllegalArgumentException e) {
                throw new MachineException("-device " + ports + ": ports taken by another device (" + e.getMessage() + ")");
            }
        }
    }

    /** Whether the guest ended the run by writing to an isa-debug-exit device (not ACPI, reset or the monitor). */
    public boolean endedByDebugExit() {
        return debugExited.get();
    }

    /**
     * Gives the guest the page-eviction test port 0x530 ({@link PageEvictPort}) if it has not got
     * it yet (file-backed RAM always has it); for anonymous RAM it works with userfaultfd.
     */
    public void enablePageEvictPort() {
        if (!vm.io().isRegistered(PageEvictPort.PORT)) {
            vm.io().register(PageEvictPort.PORT, PageEvictPort.SIZE, new PageEvictPort(vm.memory()));
        }
    }

    public static PcMachine create(MachineConfig config, OutputStream console) {
        return create(config, console, System.err);
    }

    public Vm vm() {
        return vm;
    }

    public CpuModel cpuModel() {
        return cpuModel;
    }

    /** The boot protocol the kernel was detected as and loaded by. */
    public KernelLoader.Format bootFormat() {
        return bootFormat;
    }

    /** Forwards the process's stdin to COM1 when stdin is a terminal or a pipe (not /dev/null). */
    public void forwardStdin() {
        forwardInput(System.in);
    }

    public void forwardInput(InputStream in) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    serial.receive(buf, 0, n);
                }
            } catch (IOException e) {
                // Console input closed: the guest simply gets no more input.
            }
        }, "serial-input");
        t.setDaemon(true);
        t.start();
    }

    /** When COM1 sent its first byte (ms since the epoch), 0 if it never did: for --timings. */
    public long firstSerialByteMillis() {
        return serial.firstByteMillis();
    }

    /** Bytes typed at a console (a socket client): they go to COM1's receive FIFO. */
    public void sendToSerial(byte[] data) {
        serial.receive(data, 0, data.length);
    }

    /** Starts the vCPUs and waits for the guest to end (or the timeout). */
    public VmOutcome run(Duration timeout) throws InterruptedException {
        vm.start();
        VmOutcome outcome = vm.awaitOutcome(timeout);
        serial.flush();
        return outcome;
    }

    /**
     * After {@link #run}: the host's view of every vCPU's PV MSRs and kvmclock structure
     * ({@link dev.vmm.pv.PvReport}), one line per vCPU per MSR. A vCPU that does not leave
     * KVM_RUN within 5 s is reported as such.
     */
    public java.util.List<String> pvReport() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < vm.cpuCount(); i++) {
            final int idx = i;
            try {
                out.addAll(onStoppedVcpu(i, () -> dev.vmm.pv.PvReport.lines(idx, vm.vcpu(idx), vm.memory())));
            } catch (java.util.concurrent.TimeoutException e) {
                out.add("# host: vcpu " + i + " still in KVM_RUN, MSRs not read");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                out.add("# host: vcpu " + i + " MSRs not read: " + e.getCause());
            }
        }
        return out;
    }

    /** After {@link #run}: one vCPU's PV MSRs, structured (for checks that compare with the guest). */
    public java.util.List<dev.vmm.pv.PvReport.Entry> pvEntries(int vcpu) throws java.util.concurrent.TimeoutException,
            java.util.concurrent.ExecutionException, InterruptedException {
        return onStoppedVcpu(vcpu, () -> dev.vmm.pv.PvReport.read(vm.vcpu(vcpu), vm.memory()));
    }

    /**
     * Runs a read of a vCPU's state on a helper thread: KVM_GET_MSRS waits for a vCPU still
     * leaving KVM_RUN, and a vCPU that never leaves must not hang the caller.
     */
    private <T> T onStoppedVcpu(int vcpu, java.util.concurrent.Callable<T> read) throws java.util.concurrent.TimeoutException,
            java.util.concurrent.ExecutionException, InterruptedException {
        java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(read);
        Thread t = new Thread(task, "vcpu-state-" + vcpu);
        t.setDaemon(true);
        t.start();
        return task.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Stats names printed first by {@link #kvmStatsReport()}, in this order; the rest follow in KVM's order. */
    private static final java.util.List<String> KVM_STATS_FIRST = java.util.List.of("exits", "io_exits", "halt_exits",
            "halt_attempted_poll", "halt_successful_poll", "directed_yield_attempted", "directed_yield_successful",
            "preemption_reported", "irq_injections", "hypercalls");

    private java.util.List<dev.vmm.kvm.KvmStats> kvmStats;
    private java.util.List<java.util.Map<String, Long>> kvmStatsBefore;
    private String kvmStatsError;

    /**
     * Before {@link #run}: opens every vCPU's binary stats fd (KVM_GET_STATS_FD) and takes the
     * "before" values for {@link #kvmStatsReport()}.
     */
    public void openKvmStats() {
        if (kvmStats != null) return;
        kvmStats = new java.util.ArrayList<>();
        kvmStatsBefore = new java.util.ArrayList<>();
        for (int i = 0; i < vm.cpuCount(); i++) {
            try {
                dev.vmm.kvm.KvmStats stats = dev.vmm.kvm.KvmStats.open(vm.vcpu(i).statsFd());
                kvmStats.add(stats);
                kvmStatsBefore.add(stats.read());
            } catch (RuntimeException e) { // e.g. a host without KVM_CAP_BINARY_STATS_FD
                kvmStats.add(null);
                kvmStatsBefore.add(null);
                kvmStatsError = e.getMessage();
            }
        }
    }

    /**
     * After {@link #run}: every counter of one vCPU with its change since {@link #openKvmStats()},
     * unchanged ones as 0 (a missing name is a counter this host's KVM does not have); null when the
     * stats were not opened or the host has no binary stats.
     */
    public java.util.Map<String, Long> kvmStatsChange(int vcpu) {
        if (kvmStats == null || kvmStats.get(vcpu) == null) return null;
        try {
            java.util.Map<String, Long> after = kvmStats.get(vcpu).read();
            java.util.Map<String, Long> change = new java.util.LinkedHashMap<>(after);
            change.replaceAll((name, v) -> v - kvmStatsBefore.get(vcpu).getOrDefault(name, 0L));
            return change;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * After {@link #run}: one {@code # stats: vcpu N name=delta ...} line per vCPU with the counters
     * that changed since {@link #openKvmStats()}; exits, io_exits, halt_* and directed_yield_* first.
     */
    public java.util.List<String> kvmStatsReport() {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (kvmStats == null) return out;
        for (int i = 0; i < kvmStats.size(); i++) {
            java.util.Map<String, Long> delta;
            if (kvmStats.get(i) == null) {
                out.add("# stats: vcpu " + i + " not available: " + kvmStatsError);
                continue;
            }
            try {
                delta = dev.vmm.kvm.KvmStats.delta(kvmStatsBefore.get(i), kvmStats.get(i).read());
            } catch (RuntimeException e) {
                out.add("# stats: vcpu " + i + " not read: " + e.getMessage());
                continue;
            }
            StringBuilder sb = new StringBuilder("# stats: vcpu ").append(i);
            for (String name : KVM_STATS_FIRST) {
                Long v = delta.remove(name);
                if (v != null) sb.append(' ').append(name).append('=').append(v);
            }
            for (java.util.Map.Entry<String, Long> e : delta.entrySet()) {
                sb.append(' ').append(e.getKey()).append('=').append(e.getValue());
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Override
    public void close() {
        if (kvmStats != null) {
            for (dev.vmm.kvm.KvmStats s : kvmStats) if (s != null) s.close();
        }
        vm.close();
        serial.flush();
    }
}
