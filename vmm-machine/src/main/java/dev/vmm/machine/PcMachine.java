package dev.vmm.machine;

import dev.vmm.startup.StartupClock;

import dev.vmm.boot.BootException;
import dev.vmm.bus.MachineControl;
import dev.vmm.boot.BootOptions;
import dev.vmm.boot.BootPlan;
import dev.vmm.boot.InitrdImage;
import dev.vmm.boot.MemoryWrite;
import dev.vmm.firmware.AcpiDevice;
import dev.vmm.firmware.AcpiTables;
import dev.vmm.boot.KernelLoader;
import dev.vmm.cpu.CpuModel;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.kvm.KvmException;
import dev.vmm.cpu.PvFeature;
import dev.vmm.devices.DebugExit;
import dev.vmm.devices.FwCfg;
import dev.vmm.devices.HostContention;
import dev.vmm.devices.AcpiSleepControl;
import dev.vmm.devices.I8042;
import dev.vmm.devices.PageEvictPort;
import dev.vmm.devices.PostCodePort;
import dev.vmm.devices.Uart8250;
import dev.vmm.platform.PlatformLayout;
import dev.vmm.vm.KvmMsiSink;
import dev.vmm.vm.Vm;
import dev.vmm.vm.VmOutcome;
import dev.vmm.vm.VmSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The machine: a KVM VM with the devices of a minimal PC (COM1, isa-debug-exit, the POST port,
 * the i8042 reset line, ACPI sleep control, fw_cfg, the IOAPIC with a split irqchip) and a kernel
 * loaded by its boot protocol, built by {@link #create} in one ordered pipeline. This is what
 * {@code vmm run} and the integration tests start.
 */
public final class PcMachine implements AutoCloseable {
    private final Vm vm;
    private final Board board;
    private final Uart8250 serial;
    private final CpuModel cpuModel;
    private final KernelLoader.Format bootFormat;
    /** The kernel plan with the firmware tables: loaded at {@link #run}, and again on every reset. */
    private final BootPlan plan;
    /** Devices with host resources of their own (threads, descriptors), closed after the VM. */
    private final java.util.List<AutoCloseable> ownedDevices = new java.util.ArrayList<>();
    private final MsiTrace msiTrace; // null without the user-space IOAPIC
    /** Set when an isa-debug-exit device ended the run (for QEMU's exit status rule). */
    private final AtomicBoolean debugExited;

    private PcMachine(Vm vm, Board board, Uart8250 serial, CpuModel cpuModel, KernelLoader.Format bootFormat,
                      BootPlan plan, MsiTrace msiTrace, AtomicBoolean debugExited) {
        this.vm = vm;
        this.board = board;
        this.debugExited = debugExited;
        this.serial = serial;
        this.cpuModel = cpuModel;
        this.bootFormat = bootFormat;
        this.plan = plan;
        this.msiTrace = msiTrace;
    }

    /**
     * Prints on {@code out} every MSI the user-space IOAPIC sends and what KVM_SIGNAL_MSI made of
     * it ({@link MsiTrace}); nothing without split irqchip, where KVM's own IOAPIC delivers.
     */
    public void traceMsis(PrintStream out) {
        if (msiTrace != null) msiTrace.printTo(out);
    }

    /**
     * Builds the machine and loads the kernel, in one fixed order (as Firecracker's builder):
     * <ol>
     *   <li>the kernel plan, from the kernel file alone (pure: bad input fails before KVM is touched);</li>
     *   <li>memory, the VM and its vCPUs ({@link Vm#create(VmSpec)});</li>
     *   <li>the CPU model: CPUID for every vCPU ({@link CpuModels});</li>
     *   <li>the devices, each attached ({@link Board#attach}) to its bus range from {@link PlatformLayout}
     *       with its interrupt line and its part of the ACPI tables;</li>
     *   <li>the firmware tables, generated from what was attached, added to the kernel plan (the
     *       loaders only pass their address to the kernel);</li>
     *   <li>at {@link #run}: the plan loaded (kernel, boot data, tables; the BSP's entry state).</li>
     * </ol>
     * Bad input (unreadable or unknown kernel, a CPU model the host cannot give, a VM KVM refuses)
     * becomes a {@link MachineException} whose message is one line for the user. CPU model
     * warnings go to {@code warnings}.
     */
    public static PcMachine create(MachineConfig config, OutputStream console, PrintStream warnings) {
        PlannedBoot boot = planBoot(config);
        StartupClock.mark("kernel planned");
        CpuModels.checkSyntax(config.cpuSpec());
        Vm vm = createVm(config);
        try {
            CpuModel model = CpuModels.resolve(config.cpuSpec(), vm, warnings);
            if (ApicIds.needsX2apic(config.apicIds()) && !model.x2apic()) {
                throw new MachineException("APIC IDs from " + ApicIds.FIRST_X2APIC_ONLY
                        + " up need x2APIC, which -cpu " + config.cpuSpec() + " does not give the guest");
            }
            KvmMsiSink kvmMsi = new KvmMsiSink(vm.fd(), model.isOn(PvFeature.MSI_EXT_DEST_ID));
            // with split irqchip the user-space IOAPIC's MSIs pass a trace that --verbose turns on
            MsiTrace msiTrace = config.irqchip() == IrqchipMode.SPLIT ? new MsiTrace(kvmMsi) : null;
            Board board = new Board(vm, msiTrace != null ? msiTrace : kvmMsi);
            AtomicBoolean debugExited = new AtomicBoolean();
            Uart8250 serial = attachDevices(config, vm, board, console, debugExited);
            AcpiTables tables = board.firmwareTables(PlatformLayout.ACPI_BASE);
            BootPlan plan = withFirmwareTables(boot.plan(), tables);
            StartupClock.mark("devices and tables");
            PcMachine machine = new PcMachine(vm, board, serial, model, boot.format(), plan, msiTrace, debugExited);
            machine.attachTestDevices(config, warnings);
            return machine;
        } catch (RuntimeException e) {
            vm.close();
            if (e instanceof MachineException) throw e;
            if (e instanceof KvmException) throw new MachineException(e.getMessage(), e);
            throw e;
        }
    }

    /** A kernel's boot plan and the protocol it was detected as. */
    private record PlannedBoot(BootPlan plan, KernelLoader.Format format) {
    }

    /** Step 1: reads the kernel (and initrd), detects its boot protocol and plans its loading. */
    private static PlannedBoot planBoot(MachineConfig config) {
        byte[] kernel = InputFile.check("kernel", config.kernel(), maxKernelSize(), "vmm reads kernels up to "
                + (maxKernelSize() >> 20) + " MiB (a third of its Java heap, -Xmx)").readAll();
        try {
            KernelLoader.Format format = KernelLoader.detect(kernel, config.kernel().toString());
            String cmdline = config.cmdline() != null ? config.cmdline()
                    : format.isLinux() || config.initrd() != null ? KernelLoader.LINUX_DEFAULT_CMDLINE : "";
            BootOptions options = BootOptions.of(config.kernel().toString(), cmdline, config.ramSize(),
                    config.cpuCount()).withApicIds(config.apicIds());
            if (config.initrd() != null) {
                if (format == KernelLoader.Format.MULTIBOOT) {
                    throw new MachineException("--initrd needs a Linux (bzImage, vmlinux) or PVH kernel, '"
                            + config.kernel() + "' is a multiboot kernel");
                }
                // read from the file into guest RAM when loaded: its size is bounded by the RAM, not the heap
                InputFile initrd = InputFile.check("initrd", config.initrd(), config.ramSize(),
                        "more than the guest's RAM (" + (config.ramSize() >> 20) + " MiB)");
                options = options.withInitrd(new InitrdImage.FromFile(initrd.path(), initrd.size()));
            }
            return new PlannedBoot(KernelLoader.load(kernel, options), format);
        } catch (BootException e) {
            throw new MachineException(e.getMessage());
        }
    }

    /** Step 2: memory, the VM and its vCPUs, from an immutable spec. */
    private static Vm createVm(MachineConfig config) {
        try {
            return Vm.create(new VmSpec(config.ramSize(), config.apicIds(), config.irqchip(), config.memPath(),
                    config.noReboot()));
        } catch (KvmException | IllegalArgumentException | IllegalStateException e) {
            throw new MachineException(e.getMessage(), e);
        }
    }

    /** Step 4: the board's devices on their port ranges, with their interrupt lines and ACPI parts. Returns COM1. */
    private static Uart8250 attachDevices(MachineConfig config, Vm vm, Board board, OutputStream console,
                                          AtomicBoolean debugExited) {
        Uart8250 serial = board.attach(PlatformLayout.COM1, PlatformLayout.COM1_IRQ,
                irq -> new Uart8250(PlatformLayout.COM1_PORT, console, irq),
                new AcpiDevice.IsaSerialPort(PlatformLayout.COM1_PORT, PlatformLayout.COM1_SIZE, PlatformLayout.COM1_IRQ));
        board.attach(PlatformLayout.POST_CODE, new PostCodePort());
        I8042 i8042 = new I8042(vm);
        board.attach(PlatformLayout.I8042_DATA, i8042);
        board.attach(PlatformLayout.I8042_COMMAND, i8042);
        board.attach(PlatformLayout.ACPI_SLEEP, new AcpiSleepControl(PlatformLayout.ACPI_SLEEP_CONTROL_PORT, vm),
                new AcpiDevice.SleepRegisters(PlatformLayout.ACPI_SLEEP_CONTROL_PORT, PlatformLayout.ACPI_SLEEP_STATUS_PORT));
        board.attach(PlatformLayout.FW_CFG, new FwCfg(config.cpuCount(), config.ramSize()));
        // last: ports the user chose that clash with a fixed device are then reported as theirs
        attachDebugExits(config, vm, board, debugExited);
        return serial;
    }

    /** Step 5: the firmware tables join the kernel plan (overlaps are refused there too). */
    private static BootPlan withFirmwareTables(BootPlan kernelPlan, AcpiTables tables) {
        try {
            return kernelPlan.withWrite(new MemoryWrite(tables.baseAddress(), tables.blob()));
        } catch (BootException e) {
            throw new MachineException(e.getMessage());
        }
    }

    /**
     * The largest kernel read: the file, the loader's copies of its segments and the boot plan's
     * copy must fit in the Java heap together (vmm's launcher gives it 256 MiB).
     */
    static long maxKernelSize() {
        return Runtime.getRuntime().maxMemory() / 3;
    }

    /**
     * Step 4, last: the configured isa-debug-exit devices. Each tells {@code debugExited} when it ends the VM, so
     * that a QEMU-style exit status ((value << 1) | 1) is given only for them, not for an ACPI
     * power-off or a QMP quit (QEMU exits 0 there).
     */
    private static void attachDebugExits(MachineConfig config, Vm vm, Board board, AtomicBoolean debugExited) {
        MachineControl control = new MachineControl() {
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
                board.attach(ports.range(), new DebugExit(control));
            } catch (IllegalArgumentException e) {
                throw new MachineException("-device " + ports + ": ports taken by another device (" + e.getMessage() + ")");
            }
        }
    }

    /** Whether the guest ended the run by writing to an isa-debug-exit device (not ACPI, reset or the monitor). */
    public boolean endedByDebugExit() {
        return debugExited.get();
    }

    /** Test devices the configuration asked for that this host could not give, with the reason. */
    private final java.util.Map<TestDevice, String> missingTestDevices = new java.util.EnumMap<>(TestDevice.class);

    /**
     * Step 4, after the board: the test-only devices the configuration asks for ({@link TestDevice}),
     * each attached through the board like the PC's own. File-backed RAM always gets the page-eviction
     * port: its pages are page cache the guest may want dropped (async PF tests). A device this host
     * cannot give (the eviction port without userfaultfd) is left out with a warning, so a test boot
     * still runs and its guest reports the missing port itself.
     */
    private void attachTestDevices(MachineConfig config, PrintStream warnings) {
        if (config.testDevices().contains(TestDevice.HOST_CONTENTION)) {
            board.attach(PlatformLayout.HOST_CONTENTION, new HostContention());
        }
        if (config.testDevices().contains(TestDevice.PAGE_EVICT) || config.memPath() != null) {
            try {
                PageEvictPort port = new PageEvictPort(vm.memory());
                ownedDevices.add(port);
                board.attach(PlatformLayout.PAGE_EVICT, port);
            } catch (IllegalStateException e) { // anonymous RAM without userfaultfd
                missingTestDevices.put(TestDevice.PAGE_EVICT, e.getMessage());
                warnings.println("vmm: warning: no page-eviction port: " + e.getMessage());
            }
        }
        if (config.testDevices().contains(TestDevice.KVM_STATS_WINDOW)) {
            openKvmStats();
            board.attach(PlatformLayout.KVM_STATS_WINDOW, statsWindow);
        }
    }

    /** @return why a test device the configuration asked for is missing, if it is */
    public java.util.Optional<String> missingTestDevice(TestDevice device) {
        return java.util.Optional.ofNullable(missingTestDevices.get(device));
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
        return run(timeout, false);
    }

    /**
     * {@link #run(Duration)}; with {@code startPaused} (QEMU's {@code -S}) the vCPUs wait before
     * their first instruction until QMP {@code cont} or a debugger lets them run.
     */
    public VmOutcome run(Duration timeout, boolean startPaused) throws InterruptedException {
        vm.start(plan, startPaused);
        VmOutcome outcome = vm.awaitOutcome(timeout);
        serial.flush();
        return outcome;
    }

    /**
     * After {@link #run}: the host's view of every vCPU's PV MSRs and the structures they point to
     * ({@link dev.vmm.pv.PvReport}), as values. A vCPU that does not leave KVM_RUN within 5 s is
     * reported as not read.
     */
    public java.util.List<dev.vmm.pv.VcpuPvMsrs> pvMsrs() {
        java.util.List<dev.vmm.pv.VcpuPvMsrs> out = new java.util.ArrayList<>();
        for (int i = 0; i < vm.cpuCount(); i++) {
            try {
                out.add(dev.vmm.pv.VcpuPvMsrs.read(i, pvEntries(i)));
            } catch (java.util.concurrent.TimeoutException e) {
                out.add(dev.vmm.pv.VcpuPvMsrs.stillRunning(i));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                out.add(dev.vmm.pv.VcpuPvMsrs.failed(i, String.valueOf(e.getCause())));
            }
        }
        return out;
    }

    /** One vCPU's PV MSRs, read on a helper thread ({@link #onStoppedVcpu}). */
    private java.util.List<dev.vmm.pv.PvReport.Entry> pvEntries(int vcpu) throws java.util.concurrent.TimeoutException,
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

    private java.util.List<dev.vmm.kvm.KvmStats> kvmStats;
    private java.util.List<java.util.Map<String, Long>> kvmStatsBefore;
    private String kvmStatsError;

    /**
     * At creation ({@link TestDevice#KVM_STATS_WINDOW}): opens every vCPU's binary stats fd
     * (KVM_GET_STATS_FD) and takes the "before" values for {@link #kvmStatsChanges()}.
     */
    private void openKvmStats() {
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
        // the guest may now bracket its own actions for the host to measure (KvmStatsWindow)
        statsWindow = new dev.vmm.devices.KvmStatsWindow(this::kvmStatsOfApicId);
    }

    private dev.vmm.devices.KvmStatsWindow statsWindow;

    /** The current counters of the vCPU with this APIC ID; null without one or without its stats. */
    private java.util.Map<String, Long> kvmStatsOfApicId(int apicId) {
        for (int i = 0; i < kvmStats.size(); i++) {
            if (vm.apicId(i) == apicId && kvmStats.get(i) != null) {
                try {
                    return kvmStats.get(i).read();
                } catch (RuntimeException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * After {@link #run}: the change of a vCPU's counters over a window the guest bracketed
     * ({@link dev.vmm.devices.KvmStatsWindow}); empty if the stats were not opened or the guest
     * did not begin and end that window.
     */
    public java.util.Optional<java.util.Map<String, Long>> kvmStatsWindow(int window) {
        return statsWindow == null ? java.util.Optional.empty() : statsWindow.change(window);
    }

    /**
     * After {@link #run}: per vCPU, every counter with its change since the machine was created, in
     * KVM's order, or why they could not be read; empty without {@link TestDevice#KVM_STATS_WINDOW}.
     */
    public java.util.List<KvmStatsChange> kvmStatsChanges() {
        java.util.List<KvmStatsChange> out = new java.util.ArrayList<>();
        if (kvmStats == null) return out;
        for (int i = 0; i < kvmStats.size(); i++) {
            if (kvmStats.get(i) == null) {
                out.add(KvmStatsChange.failed(i, KvmStatsChange.Kind.NOT_AVAILABLE, kvmStatsError));
                continue;
            }
            try {
                out.add(KvmStatsChange.read(i, dev.vmm.kvm.KvmStats.change(kvmStatsBefore.get(i), kvmStats.get(i).read())));
            } catch (RuntimeException e) {
                out.add(KvmStatsChange.failed(i, KvmStatsChange.Kind.NOT_READ, e.getMessage()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (kvmStats != null) {
            for (dev.vmm.kvm.KvmStats s : kvmStats) if (s != null) s.close();
        }
        vm.close();
        for (AutoCloseable device : ownedDevices) {
            try {
                device.close();
            } catch (Exception e) {
                // closing is best effort: the next device still gets its turn
            }
        }
        serial.flush();
    }
}
