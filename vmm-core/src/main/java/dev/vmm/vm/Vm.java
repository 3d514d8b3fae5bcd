package dev.vmm.vm;

import dev.vmm.bus.IoBus;
import dev.vmm.bus.MmioBus;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.kvm.Ioctls;
import dev.vmm.bus.IrqLine;
import dev.vmm.bus.MachineControl;
import dev.vmm.cpu.CpuidEntry;
import dev.vmm.kvm.Fpu;
import dev.vmm.kvm.Kvm;
import dev.vmm.kvm.MpState;
import dev.vmm.kvm.Msr;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Sregs;
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
import java.util.function.Supplier;

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
    /** KVM vcpu id = APIC ID of each vCPU, by index. */
    private final List<Integer> apicIds = new ArrayList<>();
    private final AtomicReference<VmOutcome> outcome = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean started;

    /** PV MSRs that QEMU resets to 0 (kvm_arch_reset_vcpu / kvm_put_msrs): pvclock, async PF, steal time, PV EOI, PV IPI... */
    static final int[] PV_MSRS_RESET_TO_ZERO = {
            0x11, 0x12, 0x4b564d00, 0x4b564d01, 0x4b564d02, 0x4b564d03, 0x4b564d04, 0x4b564d06, 0x4b564d07};
    /** MSR_KVM_POLL_CONTROL: QEMU resets it to 1 (host-side polling enabled). */
    static final int MSR_KVM_POLL_CONTROL = 0x4b564d05;
    /** More resets than this in one run end it as a failure (a guest stuck in a reset loop). */
    public static final int MAX_RESETS = 100;
    private static final long PARK_POLL_MILLIS = 50;

    /** Power-on state of each vCPU, taken at {@link #start}; written back on reset. */
    private record VcpuSnapshot(Regs regs, Sregs sregs, Fpu fpu, byte[] lapic, MpState mpState) {
    }

    private final List<VcpuSnapshot> snapshots = new ArrayList<>();
    /** Power-on state of the in-kernel PICs and IOAPIC (irqchip on only), written back on reset. */
    private final List<byte[]> irqchipSnapshots = new ArrayList<>();
    private final Object pauseLock = new Object();
    private volatile boolean pauseRequested;
    private volatile boolean userPaused;
    private boolean resetInProgress;
    private volatile Runnable resetListener;
    private int parked;
    private long pauseGeneration;
    private volatile Runnable reloadHook;
    private volatile boolean noReboot;
    private volatile int resetCount;
    /** The one vCPU a debugger lets run while the others stay parked (single step), or -1. Guarded by pauseLock. */
    private int soloVcpu = -1;

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
        return create(ramSize, dev.vmm.firmware.Acpi.denseIds(cpuCount), irqchip);
    }

    /**
     * As {@link #create(long, int, IrqchipMode)}, vCPU {@code i} created with KVM vcpu id
     * {@code apicIds.get(i)}, which KVM makes its (x2)APIC ID. IDs must be below the host's
     * KVM_CAP_MAX_VCPU_ID; vCPU 0 (id 0, KVM's default boot CPU) is the BSP.
     */
    public static Vm create(long ramSize, List<Integer> apicIds, IrqchipMode irqchip) {
        return create(ramSize, apicIds, irqchip, null);
    }

    /** As {@link #create(long, List, IrqchipMode)}, RAM in a shared file mapping when {@code memPath} is not null
     * ({@link GuestMemory#createFileBacked}). */
    public static Vm create(long ramSize, List<Integer> apicIds, IrqchipMode irqchip, java.nio.file.Path memPath) {
        int cpuCount = apicIds.size();
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
            int maxId = kvm.checkExtension(Ioctls.KVM_CAP_MAX_VCPU_ID);
            maxId = maxId > 0 ? maxId : maxVcpus; // the API's fallback: ids below KVM_CAP_MAX_VCPUS
            for (int id : apicIds) {
                if (id >= maxId) {
                    throw new IllegalArgumentException("APIC ID " + id + " is not below this host's KVM_CAP_MAX_VCPU_ID ("
                            + maxId + ")");
                }
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
            memory = memPath == null ? GuestMemory.create(ramSize) : GuestMemory.createFileBacked(ramSize, memPath);
            int slot = 0;
            for (MemoryRegion r : memory.regions()) {
                vmFd.setUserMemoryRegion(slot++, 0, r.gpa(), r.size(), r.hostAddress());
            }
            Vm vm = new Vm(kvm, vmFd, memory, irqchip);
            for (int id : apicIds) {
                vm.addVcpu(vmFd.createVcpu(id));
                vm.apicIds.add(id);
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
        vcpus.add(new Vcpu(vcpus.size(), fd, io, mmio, reports, this::end, new Vcpu.PauseGate() {
            @Override
            public boolean pauseRequested() {
                return pauseRequested;
            }

            @Override
            public boolean park(int index) {
                return parkVcpu(index);
            }

            @Override
            public void requestReset() {
                reset();
            }
        }));
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

    /** Gives each vCPU its CPUID table; {@code perVcpu} receives the vCPU's APIC ID. */
    public void setCpuid(Function<Integer, List<CpuidEntry>> perVcpu) {
        for (int i = 0; i < vcpus.size(); i++) {
            vcpus.get(i).fd().setCpuid2(perVcpu.apply(apicIds.get(i)));
        }
    }

    /** APIC ID (= KVM vcpu id) of vCPU {@code index}. */
    public int apicId(int index) {
        return apicIds.get(index);
    }

    /** Every vCPU reports each KVM_RUN exit to {@code observer} (set before {@link #start}). */
    public void setExitObserver(ExitObserver observer) {
        for (Vcpu v : vcpus) {
            v.setExitObserver(observer);
        }
    }

    /** KVM_EXIT_DEBUG goes to {@code handler} (a debugger; set before {@link #start}). */
    public void setDebugExitHandler(DebugExitHandler handler) {
        for (Vcpu v : vcpus) {
            v.setDebugHandler(handler);
        }
    }

    /**
     * QEMU's {@code -S} (call before {@link #start}): the vCPU threads start paused and enter the
     * guest at the first {@link #resume}.
     */
    public void setStartPaused() {
        synchronized (pauseLock) {
            userPaused = true;
            pauseRequested = true;
            parked = 0;
        }
    }

    /** The outcome once the guest has ended, else null. */
    public VmOutcome outcomeIfEnded() {
        return outcome.get();
    }

    /**
     * Asks every vCPU to park as {@link #pause} does, without waiting: safe on a vCPU thread (a
     * debug exit), which parks when it returns to its loop. {@link #awaitPaused} waits for the rest.
     */
    public void requestPause() {
        synchronized (pauseLock) {
            if (outcome.get() != null) {
                return;
            }
            soloVcpu = -1;
            userPaused = true;
            if (!pauseRequested) {
                pauseRequested = true;
                parked = 0;
            }
        }
        for (Vcpu v : vcpus) {
            v.kick();
        }
    }

    /** Waits until every live vCPU has parked; false when the VM ended first. */
    public boolean awaitPaused() throws InterruptedException {
        synchronized (pauseLock) {
            while (parked < liveVcpus()) {
                if (outcome.get() != null) {
                    return false;
                }
                pauseLock.wait(PARK_POLL_MILLIS);
            }
            return true;
        }
    }

    /**
     * Lets only vCPU {@code index} run (the others stay parked) until {@link #requestPause}: how a
     * debugger single-steps one thread. The VM must be paused.
     */
    public void runAlone(int index) {
        synchronized (pauseLock) {
            if (!userPaused) {
                throw new IllegalStateException("runAlone needs a paused VM");
            }
            soloVcpu = index;
            pauseLock.notifyAll();
        }
    }

    /** Starts one platform thread per vCPU. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("VM already started");
        }
        started = true;
        if (irqchip == IrqchipMode.ON) {
            for (int chip : new int[] {VmFd.IRQCHIP_PIC_MASTER, VmFd.IRQCHIP_PIC_SLAVE, VmFd.IRQCHIP_IOAPIC}) {
                irqchipSnapshots.add(vmFd.getIrqchip(chip));
            }
        }
        for (Vcpu v : vcpus) {
            VcpuFd fd = v.fd();
            snapshots.add(new VcpuSnapshot(fd.getRegs(), fd.getSregs(), fd.getFpu(), fd.getLapic(), fd.getMpState()));
        }
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
            stopWithRegisters("vmm: guest still running after " + timeout.toSeconds() + " s; stopped it");
        }
        return outcome.get();
    }

    /** How long a stop waits for the vCPUs to park before it reports without their registers. */
    private static final long REGISTER_DUMP_WAIT_MILLIS = 2000;

    /**
     * Ends the run as stopped (a timeout, SIGTERM) with every vCPU's registers after {@code why},
     * as a failure report shows them: the vCPUs are parked first so that their state can be read.
     */
    public void stopWithRegisters(String why) {
        StringBuilder sb = new StringBuilder(why).append('\n');
        synchronized (pauseLock) {
            userPaused = true;
            if (!pauseRequested) {
                pauseRequested = true;
                parked = 0;
            }
        }
        for (Vcpu v : vcpus) {
            v.kick();
        }
        boolean allParked = false;
        long deadline = System.currentTimeMillis() + REGISTER_DUMP_WAIT_MILLIS;
        synchronized (pauseLock) {
            while (outcome.get() == null && !(allParked = parked >= liveVcpus()) && System.currentTimeMillis() < deadline) {
                try {
                    pauseLock.wait(PARK_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (allParked) {
            for (int i = 0; i < vcpus.size(); i++) {
                sb.append("CPU#").append(i).append('\n').append(registers(i));
            }
        } else if (outcome.get() == null) {
            sb.append("(registers unavailable: a vCPU did not leave KVM_RUN within ").append(REGISTER_DUMP_WAIT_MILLIS).append(" ms)\n");
        }
        end(VmOutcome.failure(VmOutcome.Kind.STOPPED, sb.toString()));
    }

    /** vCPU {@code index}'s registers in QEMU's {@code info registers} layout. The vCPU must not be in KVM_RUN. */
    public String registers(int index) {
        VcpuFd fd = vcpus.get(index).fd();
        try {
            return new ExitReport(memory).format(fd.getRegs(), fd.getSregs(), false);
        } catch (RuntimeException e) {
            return "(registers unavailable: " + e.getMessage() + ")\n";
        }
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

    /**
     * The machine's boot plan, run again on every reset after the vCPUs are back at power-on:
     * it rewrites the kernel image and firmware tables and sets the boot vCPU's entry state.
     */
    public void setReloadHook(Runnable reload) {
        this.reloadHook = reload;
    }

    /** QEMU's {@code -no-reboot}: a reset request ends the run with status 0. */
    public void setNoReboot(boolean on) {
        this.noReboot = on;
    }

    /** Number of resets carried out so far in this run. */
    public int resetCount() {
        return resetCount;
    }

    /**
     * Resets the machine in place, from any thread: every vCPU is kicked out of KVM_RUN and
     * parked, then (on a thread of its own) each vCPU gets its power-on state back, the PV MSRs
     * get QEMU's reset values, the boot plan is loaded again, and the vCPUs resume (or stay
     * paused, when the monitor had paused them). A request while a reset is under way is folded
     * into that one.
     */
    @Override
    public void reset() {
        if (noReboot || !started) {
            end(VmOutcome.powerOff(0));
            return;
        }
        synchronized (pauseLock) {
            if (resetInProgress || outcome.get() != null) {
                return;
            }
            resetInProgress = true;
        }
        Thread t = new Thread(this::performReset, "vm-reset");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Pauses the guest (QMP {@code stop}): returns once every vCPU has left KVM_RUN and waits.
     * @return false when the VM has already ended or was paused
     */
    public boolean pause() {
        synchronized (pauseLock) {
            if (userPaused || outcome.get() != null) {
                return false;
            }
            userPaused = true;
        }
        try {
            return parkAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Lets a paused guest run again (QMP {@code cont}). @return false when it was not paused */
    public boolean resume() {
        synchronized (pauseLock) {
            if (!userPaused) {
                return false;
            }
            userPaused = false;
            soloVcpu = -1;
            if (!resetInProgress) {
                releaseAll();
            }
            return true;
        }
    }

    public boolean isPaused() {
        return userPaused;
    }

    /**
     * Runs {@code action} while no vCPU is inside KVM_RUN (vCPU ioctls such as KVM_GET_MSRS wait
     * for KVM_RUN to return, so a running guest must be paused to be looked at), then lets the
     * guest go on unless it was paused already.
     */
    public <T> T whilePaused(Supplier<T> action) {
        boolean pausedHere = pause();
        try {
            return action.get();
        } finally {
            if (pausedHere) {
                resume();
            }
        }
    }

    /** Asks every vCPU to park and waits until all have (or the VM ended). Caller must not hold pauseLock. */
    private boolean parkAll() throws InterruptedException {
        synchronized (pauseLock) {
            if (!pauseRequested) {
                pauseRequested = true;
                parked = 0;
            }
        }
        for (Vcpu v : vcpus) {
            v.kick();
        }
        return awaitPaused();
    }

    /** vCPUs whose thread still runs (a vCPU that ended cannot park). */
    private int liveVcpus() {
        int n = 0;
        for (Vcpu v : vcpus) {
            if (v.isAlive()) n++;
        }
        return n;
    }

    /** Releases parked vCPUs. Caller holds pauseLock. */
    private void releaseAll() {
        pauseRequested = false;
        parked = 0;
        pauseGeneration++;
        pauseLock.notifyAll();
    }

    /**
     * Called by a vCPU thread that saw the pause request: waits until the pause is over or the VM
     * ends. @return true when a debugger lets this vCPU run alone ({@link #runAlone})
     */
    private boolean parkVcpu(int index) {
        synchronized (pauseLock) {
            if (soloVcpu == index) {
                return true;
            }
            long generation = pauseGeneration;
            parked++;
            pauseLock.notifyAll();
            while (pauseGeneration == generation && outcome.get() == null) {
                if (soloVcpu == index) {
                    parked--;
                    return true;
                }
                try {
                    pauseLock.wait(PARK_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
    }

    private void performReset() {
        try {
            if (!parkAll()) {
                return;
            }
            int n = ++resetCount;
            if (n > MAX_RESETS) {
                end(VmOutcome.failure(VmOutcome.Kind.SYSTEM_EVENT, "vmm: guest reset more than " + MAX_RESETS
                        + " times in one run (reset loop?); stopped it"));
                return;
            }
            restorePowerOnState();
            Runnable reload = reloadHook;
            if (reload != null) {
                reload.run();
            }
            Runnable listener = resetListener;
            if (listener != null) {
                listener.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR, "vmm: reset interrupted"));
        } catch (RuntimeException e) {
            end(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR, "vmm: reset failed: " + e.getMessage()));
        } finally {
            synchronized (pauseLock) {
                resetInProgress = false;
                if (!userPaused) {
                    releaseAll();
                }
            }
        }
    }

    /** Called after each in-place reset (the monitor turns it into a RESET event). */
    public void setResetListener(Runnable listener) {
        this.resetListener = listener;
    }

    /** Writes each vCPU's power-on snapshot back and applies QEMU's PV MSR reset values. */
    private void restorePowerOnState() {
        for (byte[] chip : irqchipSnapshots) {
            vmFd.setIrqchip(chip);
        }
        for (int i = 0; i < vcpus.size(); i++) {
            VcpuFd fd = vcpus.get(i).fd();
            VcpuSnapshot s = snapshots.get(i);
            fd.setSregs(s.sregs());
            fd.setRegs(s.regs());
            fd.setFpu(s.fpu());
            fd.setLapic(s.lapic());
            fd.setMpState(s.mpState());
            for (Msr m : pvMsrResetValues()) {
                try {
                    fd.setMsrs(List.of(m));
                } catch (RuntimeException e) {
                    // The host does not know this MSR (or does not let it be written): nothing to reset.
                }
            }
        }
    }

    /** QEMU's rule: every PV MSR goes to 0, MSR_KVM_POLL_CONTROL to 1. */
    static List<Msr> pvMsrResetValues() {
        List<Msr> out = new ArrayList<>();
        for (int index : PV_MSRS_RESET_TO_ZERO) {
            out.add(new Msr(index, 0));
        }
        out.add(new Msr(MSR_KVM_POLL_CONTROL, 1));
        return out;
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
