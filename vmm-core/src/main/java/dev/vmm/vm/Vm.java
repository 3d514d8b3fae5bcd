package dev.vmm.vm;

import dev.vmm.bus.IoBus;
import dev.vmm.bus.MmioBus;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.kvm.Ioctls;
import dev.vmm.bus.IrqLine;
import dev.vmm.bus.MachineControl;
import dev.vmm.cpu.CpuidEntry;
import dev.vmm.kvm.Kvm;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.kvm.VmFd;
import dev.vmm.memory.GuestMemory;
import dev.vmm.memory.MemoryRegion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A KVM virtual machine: guest memory registered as slots, the in-kernel interrupt controllers
 * (PIC, IOAPIC, LAPICs) and PIT, the vCPUs and their threads, and the port-I/O bus.
 *
 * <p>Lifecycle: created (configure memory, CPUID, registers) → {@link #start} → running until the
 * first vCPU reports an outcome (or {@link #close}) → stopped. The first outcome wins; the others
 * vCPUs are then kicked out of {@code KVM_RUN}.
 */
public final class Vm implements MachineControl, AutoCloseable {
    /** KVM on Intel needs three pages for the TSS and one for the identity map, below 4 GiB, outside RAM. */
    private static final long TSS_ADDRESS = 0xfffbd000L;
    private static final long IDENTITY_MAP_ADDRESS = 0xfffbc000L;
    private static final long JOIN_MILLIS = 2000;
    /** QEMU's user-space IOAPIC has 24 pins; KVM reserves that many GSIs for it with a split irqchip. */
    public static final int IOAPIC_PINS = 24;
    private static final long X2APIC_API_USE_32BIT_IDS = 1, X2APIC_API_DISABLE_BROADCAST_QUIRK = 2;

    private final Kvm kvm;
    private final VmFd vmFd;
    private final GuestMemory memory;
    private final IoBus io = new IoBus();
    private final MmioBus mmio = new MmioBus();
    private final IrqchipMode irqchip;
    private volatile boolean msiExtendedDestination;
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final AtomicReference<VmOutcome> outcome = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private boolean started;

    private Vm(Kvm kvm, VmFd vmFd, GuestMemory memory, IrqchipMode irqchip) {
        this.irqchip = irqchip;
        this.kvm = kvm;
        this.vmFd = vmFd;
        this.memory = memory;
    }

    /**
     * Creates a VM with {@code ramSize} bytes of RAM and {@code cpuCount} vCPUs, in-kernel
     * irqchip and PIT. Fails with a {@link dev.vmm.kvm.KvmException} naming what KVM refused.
     */
    public static Vm create(long ramSize, int cpuCount) {
        return create(ramSize, cpuCount, IrqchipMode.ON);
    }

    /**
     * Creates a VM with the interrupt controllers where {@code irqchip} says: {@code ON} puts
     * PIC, IOAPIC, LAPICs and PIT in the kernel; {@code SPLIT} keeps only the LAPICs there (the
     * machine then provides a user-space IOAPIC that signals MSIs) and turns on the x2APIC API
     * with 32-bit APIC IDs. {@code OFF} would need a user-space LAPIC, which vmm does not have.
     */
    public static Vm create(long ramSize, int cpuCount, IrqchipMode irqchip) {
        if (irqchip == IrqchipMode.OFF) {
            throw new IllegalArgumentException("kernel-irqchip=off is not supported: vmm has no user-space LAPIC;"
                    + " use kernel-irqchip=on or split");
        }
        Kvm kvm = Kvm.open();
        VmFd vmFd = null;
        GuestMemory memory = null;
        try {
            kvm.requireCapabilities(Kvm.REQUIRED_CAPABILITIES);
            int maxVcpus = kvm.maxVcpus();
            if (cpuCount > maxVcpus) {
                throw new IllegalArgumentException("--smp " + cpuCount + " is more than this host's KVM limit of "
                        + maxVcpus + " vCPUs");
            }
            vmFd = kvm.createVm();
            vmFd.setTssAddr(TSS_ADDRESS);
            vmFd.setIdentityMapAddr(IDENTITY_MAP_ADDRESS);
            if (irqchip == IrqchipMode.SPLIT) {
                kvm.requireCapabilities(Ioctls.KVM_CAP_SPLIT_IRQCHIP);
                vmFd.enableSplitIrqchip(IOAPIC_PINS);
                if (kvm.checkExtension(Ioctls.KVM_CAP_X2APIC_API) > 0) {
                    vmFd.enableCap(Ioctls.KVM_CAP_X2APIC_API, X2APIC_API_USE_32BIT_IDS | X2APIC_API_DISABLE_BROADCAST_QUIRK);
                }
            } else {
                vmFd.createIrqchip();
                vmFd.createPit2();
            }
            memory = GuestMemory.create(ramSize);
            int slot = 0;
            for (MemoryRegion r : memory.regions()) {
                vmFd.setUserMemoryRegion(slot++, 0, r.gpa(), r.size(), r.hostAddress());
            }
            Vm vm = new Vm(kvm, vmFd, memory, irqchip);
            for (int i = 0; i < cpuCount; i++) {
                vm.addVcpu(vmFd.createVcpu(i));
            }
            return vm;
        } catch (RuntimeException e) {
            if (memory != null) memory.close();
            if (vmFd != null) vmFd.close();
            kvm.close();
            throw e;
        }
    }

    private void addVcpu(VcpuFd fd) {
        ExitReport reports = new ExitReport(memory);
        vcpus.add(new Vcpu(vcpus.size(), fd, io, mmio, reports, this::end));
    }

    public Kvm kvm() {
        return kvm;
    }

    public VmFd fd() {
        return vmFd;
    }

    public GuestMemory memory() {
        return memory;
    }

    public IoBus io() {
        return io;
    }

    public MmioBus mmio() {
        return mmio;
    }

    public IrqchipMode irqchip() {
        return irqchip;
    }

    /**
     * With kvm-msi-ext-dest-id the guest puts APIC ID bits 14:8 in MSI address bits 11:5; KVM's
     * x2APIC API expects them in the high address dword, so {@link #signalMsi} moves them there.
     */
    public void setMsiExtendedDestination(boolean on) {
        msiExtendedDestination = on;
    }

    /** Injects an MSI through KVM_SIGNAL_MSI (split irqchip), rewriting extended destination bits first. */
    public void signalMsi(long address, int data) {
        long a = msiExtendedDestination ? MsiAddress.moveExtendedDestination(address) : address;
        vmFd.signalMsi(a, data);
    }

    public int cpuCount() {
        return vcpus.size();
    }

    /** Kernel thread id of vCPU {@code index}'s thread (QMP's query-cpus-fast reports it). */
    public int vcpuThreadId(int index) {
        return vcpus.get(index).threadId();
    }

    /** True once the guest has ended (or was stopped) and the vCPUs were told to leave. */
    public boolean hasEnded() {
        return outcome.get() != null;
    }

    public VcpuFd vcpu(int index) {
        return vcpus.get(index).fd();
    }

    /** Thread-safe handle for a device's ISA interrupt line into the in-kernel PIC/IOAPIC. */
    public IrqLine isaIrq(int irq) {
        return level -> vmFd.irqLine(irq, level);
    }

    /** Gives each vCPU its CPUID table; {@code perVcpu} receives the vCPU index (= APIC ID). */
    public void setCpuid(Function<Integer, List<CpuidEntry>> perVcpu) {
        for (int i = 0; i < vcpus.size(); i++) {
            vcpus.get(i).fd().setCpuid2(perVcpu.apply(i));
        }
    }

    /** Starts one platform thread per vCPU. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("VM already started");
        }
        started = true;
        for (Vcpu v : vcpus) {
            v.start();
        }
    }

    /**
     * Waits for the guest to end. With a timeout, a guest still running after it is stopped and
     * the outcome says so.
     */
    public VmOutcome awaitOutcome(Duration timeout) throws InterruptedException {
        if (timeout == null) {
            ended.await();
        } else if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            end(VmOutcome.failure(VmOutcome.Kind.STOPPED,
                    "vmm: guest still running after " + timeout.toSeconds() + " s; stopped it"));
        }
        return outcome.get();
    }

    /** Records the first outcome and kicks every vCPU out of the guest. */
    private void end(VmOutcome o) {
        if (outcome.compareAndSet(null, o)) {
            ended.countDown();
            for (Vcpu v : vcpus) {
                v.stop();
            }
        }
    }

    @Override
    public void powerOff(int exitStatus) {
        end(VmOutcome.powerOff(exitStatus));
    }

    @Override
    public void reset() {
        // No reset support yet: treat as the end of the run, as QEMU's -no-reboot does.
        end(VmOutcome.powerOff(0));
    }

    /** Stops the guest (kicking vCPUs that still run) and frees everything, in reverse order of creation. */
    @Override
    public void close() {
        end(VmOutcome.failure(VmOutcome.Kind.STOPPED, "vmm: VM closed"));
        boolean allStopped = true;
        for (Vcpu v : vcpus) {
            try {
                v.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            allStopped &= !v.isAlive();
        }
        if (!allStopped) {
            // A vCPU thread that did not leave KVM_RUN still uses the mappings: leak them rather than crash.
            return;
        }
        for (Vcpu v : vcpus) {
            v.fd().close();
        }
        vmFd.close();
        memory.close();
        kvm.close();
    }
}
