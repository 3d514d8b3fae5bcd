package dev.vmm.vm;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.boot.BootPlan;
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
import dev.vmm.startup.StartupClock;
import dev.vmm.memory.MemoryRegion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A KVM virtual machine: guest memory registered as slots, the in-kernel interrupt controllers
 * (PIC, IOAPIC, LAPICs) and PIT, the vCPUs and their threads, and the port-I/O and MMIO buses.
 * It is built from a {@link VmSpec} and has no configuration setters; the jobs around it are
 * their own classes: {@link Vcpu} (a vCPU thread and its exits), {@link VcpuMailbox} (its run
 * state and its one command queue), {@link VcpuParking} (who holds the vCPUs outside KVM_RUN),
 * {@link PowerOnReset} (what a reset restores), {@link KvmMsiSink} (MSI delivery for the split
 * irqchip).
 *
 * <p>Lifecycle: created (configure CPUID, registers through {@link #vcpu}) → {@link #start} →
 * running until the first vCPU reports an outcome (or {@link #close}) → stopped. The first outcome
 * wins; every vCPU is then sent a stop. Pause, reset and a register dump park every vCPU outside
 * {@code KVM_RUN} first; once a vCPU thread runs, its registers are read and written on that
 * thread ({@link #onVcpu}).
 */
public final class Vm implements MachineControl, AutoCloseable {
    private static final long JOIN_MILLIS = 2000;
    /** While waiting for a vCPU thread to end, how often it is kicked again. */
    private static final long REKICK_MILLIS = 250;

    private final Kvm kvm;
    private final VmFd vmFd;
    private final GuestMemory memory;
    private final IoBus io = new IoBus();
    private final MmioBus mmio = new MmioBus();
    private final VmSpec spec;
    private final PowerOnReset powerOnReset;
    private final List<Vcpu> vcpus = new ArrayList<>();
    /** KVM vcpu id = APIC ID of each vCPU, by index. */
    private final List<Integer> apicIds = new ArrayList<>();
    private final AtomicReference<VmOutcome> outcome = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean started;

    private final VcpuParking parking = new VcpuParking(this::hasEnded);
    private final List<Runnable> resetListeners = new CopyOnWriteArrayList<>();

    private Vm(Kvm kvm, VmFd vmFd, GuestMemory memory, VmSpec spec) {
        this.spec = spec;
        this.kvm = kvm;
        this.vmFd = vmFd;
        this.memory = memory;
        this.powerOnReset = new PowerOnReset(vmFd, memory, spec.irqchip());
    }

    /**
     * Creates a VM with {@code ramSize} bytes of RAM and {@code cpuCount} vCPUs, in-kernel
     * irqchip and PIT. Fails with a {@link dev.vmm.kvm.KvmException} naming what KVM refused.
     */
    public static Vm create(long ramSize, int cpuCount) {
        return create(VmSpec.of(ramSize, cpuCount));
    }

    /**
     * Creates the VM {@code spec} describes: KVM's TSS and identity-map pages, the interrupt
     * controllers, guest RAM in memory slots, and the vCPUs (created with their APIC IDs as KVM
     * vcpu ids, which must be below the host's KVM_CAP_MAX_VCPU_ID). {@code kernel-irqchip=off}
     * is refused: it would need a user-space LAPIC, which vmm does not have.
     */
    public static Vm create(VmSpec spec) {
        List<Integer> apicIds = spec.apicIds();
        IrqchipMode irqchip = spec.irqchip();
        long ramSize = spec.ramSize();
        java.nio.file.Path memPath = spec.memPath();
        int cpuCount = apicIds.size();
        if (irqchip == IrqchipMode.OFF) {
            throw new IllegalArgumentException("kernel-irqchip=off is not supported: vmm has no user-space LAPIC;"
                    + " use kernel-irqchip=on or split");
        }
        Kvm kvm = Kvm.open();
        StartupClock.mark("kvm open");
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
            vmFd.setTssAddr(PlatformLayout.KVM_TSS_ADDRESS);
            vmFd.setIdentityMapAddr(PlatformLayout.KVM_IDENTITY_MAP_ADDRESS);
            if (irqchip == IrqchipMode.SPLIT) {
                kvm.requireCapabilities(Ioctls.KVM_CAP_SPLIT_IRQCHIP);
                vmFd.enableSplitIrqchip(PlatformLayout.IOAPIC_PINS);
                if (kvm.checkExtension(Ioctls.KVM_CAP_X2APIC_API) > 0) {
                    vmFd.enableCap(Ioctls.KVM_CAP_X2APIC_API, Ioctls.KVM_X2APIC_API_USE_32BIT_IDS
                            | Ioctls.KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK);
                }
            } else {
                vmFd.createIrqchip();
                vmFd.createPit2();
            }
            StartupClock.mark("vm created");
            memory = memPath == null ? GuestMemory.create(ramSize) : GuestMemory.createFileBacked(ramSize, memPath);
            int slot = 0;
            for (MemoryRegion r : memory.regions()) {
                vmFd.setUserMemoryRegion(slot++, 0, r.gpa(), r.size(), r.hostAddress());
            }
            StartupClock.mark("memory");
            Vm vm = new Vm(kvm, vmFd, memory, spec);
            for (int id : apicIds) {
                vm.addVcpu(vmFd.createVcpu(id));
                vm.apicIds.add(id);
            }
            StartupClock.mark("vcpus");
            return vm;
        } catch (RuntimeException e) {
            if (memory != null) memory.close();
            if (vmFd != null) vmFd.close();
            kvm.close();
            throw e;
        }
    }

    private void addVcpu(VcpuFd fd) {
        vcpus.add(new Vcpu(vcpus.size(), fd, io, mmio, new ExitReport(memory), this::end, this::reset));
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
        return spec.irqchip();
    }

    /** What this VM was built from. */
    public VmSpec spec() {
        return spec;
    }

    public int cpuCount() {
        return vcpus.size();
    }

    /** Kernel thread id of vCPU {@code index}'s thread (QMP's query-cpus-fast reports it). */
    public int vcpuThreadId(int index) {
        return vcpus.get(index).threadId();
    }

    /** Whether vCPU {@code index}'s thread has installed the seccomp filter (VcpuSeccomp). */
    public boolean vcpuFiltered(int index) {
        return vcpus.get(index).filtered();
    }

    /** True once the guest has ended (or was stopped) and the vCPUs were told to leave. */
    public boolean hasEnded() {
        return outcome.get() != null;
    }

    /**
     * vCPU {@code index}'s file descriptor, to configure it before {@link #start} (CPUID, caps,
     * entry registers). Once its thread runs, use {@link #onVcpu}.
     */
    public VcpuFd vcpu(int index) {
        return vcpus.get(index).fd();
    }

    /**
     * Carries out {@code action} with vCPU {@code index}'s file descriptor on that vCPU's own thread,
     * between two KVM_RUN calls (a command in its mailbox, after a kick), and returns the result.
     * A parked vCPU runs it at once; a running one is kicked out of the guest for it and runs on.
     * Runs on the caller when the vCPU thread has not started or has ended, or is the caller.
     * Not for one vCPU's thread to call for another: each would wait for the other's mailbox.
     */
    public <T> T onVcpu(int index, Function<VcpuFd, T> action) {
        return vcpus.get(index).call(action);
    }

    /** Thread-safe handle for a device's ISA interrupt line into the in-kernel PIC/IOAPIC. */
    public IrqLine isaIrq(int irq) {
        return level -> vmFd.irqLine(irq, level);
    }

    /** Gives each vCPU its CPUID table; {@code perVcpu} receives the vCPU's APIC ID. */
    public void setCpuid(Function<Integer, List<CpuidEntry>> perVcpu) {
        requireNotStarted("CPUID");
        for (int i = 0; i < vcpus.size(); i++) {
            vcpus.get(i).fd().setCpuid2(perVcpu.apply(apicIds.get(i)));
        }
    }

    /** APIC ID (= KVM vcpu id) of vCPU {@code index}. */
    public int apicId(int index) {
        return apicIds.get(index);
    }

    /** Every vCPU reports each KVM_RUN exit to {@code observer} (null: none; before {@link #start}). */
    public void observeExits(ExitObserver observer) {
        requireNotStarted("an exit observer");
        for (Vcpu v : vcpus) {
            v.setExitObserver(observer);
        }
    }

    /** KVM_EXIT_DEBUG goes to {@code handler} (a debugger; before {@link #start}). */
    public void attachDebugger(DebugExitHandler handler) {
        requireNotStarted("a debugger");
        for (Vcpu v : vcpus) {
            v.setDebugHandler(handler);
        }
    }

    /**
     * The vCPUs' configuration (CPUID, hooks) is fixed once their threads run: the threads read it
     * without a lock, and a guest that saw one CPUID must not see another.
     */
    private synchronized void requireNotStarted(String what) {
        if (started) {
            throw new IllegalStateException(what + " can only be set before the VM starts");
        }
    }

    /** Starts one platform thread per vCPU, with the registers and memory as they are; a reset restores them. */
    public void start() {
        start(null);
    }

    /**
     * Boots {@code plan}: loads it (kernel, boot data, firmware tables into RAM; the BSP's entry
     * state), takes the power-on state, and starts one platform thread per vCPU. A reset puts the
     * power-on state back and loads the same plan again.
     */
    public void start(BootPlan plan) {
        start(plan, false);
    }

    /**
     * {@link #start(BootPlan)}; with {@code paused} (QEMU's {@code -S}) the vCPU threads wait
     * before their first KVM_RUN until a {@link #resume} (QMP {@code cont}) or a debugger lets
     * them run ({@link #releaseForDebugger}).
     */
    public synchronized void start(BootPlan plan, boolean paused) {
        if (started) {
            throw new IllegalStateException("VM already started");
        }
        started = true;
        if (plan != null) {
            BootState.load(plan, memory, vcpus.get(0).fd());
        }
        powerOnReset.snapshot(vcpuFds(), plan);
        StartupClock.mark("boot loaded");
        if (paused) {
            parking.request(VcpuParking.Holder.START, vcpus); // no thread runs yet: nothing to kick
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
            String state = isPaused() ? "paused (by the monitor)"
                    : isStoppedForDebugger() ? "stopped by the debugger" : "still running";
            stopWithRegisters("vmm: guest " + state + " after " + timeout.toSeconds() + " s; stopped it");
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
        boolean allParked = false;
        if (parking.request(VcpuParking.Holder.STOPPING, vcpus)) {
            try {
                allParked = parking.awaitParked(vcpus, REGISTER_DUMP_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (allParked) {
            for (int i = 0; i < vcpus.size(); i++) {
                sb.append("CPU#").append(i).append('\n').append(registers(i));
            }
        } else if (!hasEnded()) {
            sb.append("(registers unavailable: a vCPU did not leave KVM_RUN within ").append(REGISTER_DUMP_WAIT_MILLIS)
                    .append(" ms)\n");
        }
        end(VmOutcome.failure(VmOutcome.Kind.STOPPED, sb.toString()));
    }

    /** vCPU {@code index}'s registers in QEMU's {@code info registers} layout, read on its own thread. */
    public String registers(int index) {
        try {
            return CpuStateDump.format(onVcpu(index, CpuState::read), false);
        } catch (RuntimeException e) {
            return "(registers unavailable: " + e.getMessage() + ")\n";
        }
    }

    /** The outcome once the guest has ended, else null. */
    public VmOutcome outcomeIfEnded() {
        return outcome.get();
    }

    /** Records the first outcome and sends every vCPU a stop (which kicks it out of the guest). */
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

    /** Number of resets carried out so far in this run. */
    public int resetCount() {
        return powerOnReset.count();
    }

    private List<VcpuFd> vcpuFds() {
        List<VcpuFd> fds = new ArrayList<>(vcpus.size());
        for (Vcpu v : vcpus) {
            fds.add(v.fd());
        }
        return fds;
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
        requestReset(true);
    }

    /**
     * A reset the operator asked for (QMP {@code system_reset}): carried out as {@link #reset()},
     * but not counted towards {@link PowerOnReset#MAX_RESETS}, which exists to stop guests in a reset loop.
     */
    public void resetByOperator() {
        requestReset(false);
    }

    private void requestReset(boolean byGuest) {
        if (spec.noReboot() || !started) {
            end(VmOutcome.powerOff(0));
            return;
        }
        if (!parking.hold(VcpuParking.Holder.RESET)) {
            return; // a reset is under way (this request is folded into it), or the VM ended
        }
        Thread t = new Thread(() -> performReset(byGuest), "vm-reset");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Pauses the guest (QMP {@code stop}): returns once every vCPU has left KVM_RUN and waits.
     * @return false when the VM has already ended or was paused
     */
    public boolean pause() {
        if (!parking.hold(VcpuParking.Holder.MONITOR)) {
            return false;
        }
        try {
            return parking.parkAll(vcpus);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Lets a paused guest run again (QMP {@code cont}), also one that {@code -S} holds; a debugger's
     * stop stays until the debugger lets go. @return false when it was not paused
     */
    public boolean resume() {
        boolean wasHeldAtStart = parking.release(VcpuParking.Holder.START, vcpus);
        return parking.release(VcpuParking.Holder.MONITOR, vcpus) || wasHeldAtStart;
    }

    /** Paused by the monitor, or not yet let run after {@code -S}. */
    public boolean isPaused() {
        return parking.holds(VcpuParking.Holder.MONITOR) || parking.holds(VcpuParking.Holder.START);
    }

    /** Stopped for a debugger (QMP's status "debug"); {@link #resume} does not end that, the debugger does. */
    public boolean isStoppedForDebugger() {
        return parking.holds(VcpuParking.Holder.DEBUGGER);
    }

    /**
     * A debugger stops the guest (all-stop): every vCPU is asked to park, without waiting, so that
     * this is safe on a vCPU thread (a debug exit), which parks when it is back in its loop. A vCPU
     * let run alone ({@link #runAloneForDebugger}) parks too. {@link #awaitParked} waits for the rest.
     */
    public void holdForDebugger() {
        parking.request(VcpuParking.Holder.DEBUGGER, vcpus);
    }

    /** Waits until every live vCPU has parked; false when the VM ended first. */
    public boolean awaitParked() throws InterruptedException {
        return parking.awaitParked(vcpus, 0);
    }

    /**
     * Lets only vCPU {@code index} run while the others stay parked, until the next
     * {@link #holdForDebugger}: how a debugger single-steps one thread. The debugger must hold the VM.
     */
    public void runAloneForDebugger(int index) {
        parking.runAlone(VcpuParking.Holder.DEBUGGER, index, vcpus);
    }

    /**
     * The debugger lets the guest run (gdb's continue, detach): also after {@code -S}, as QEMU's gdb
     * stub starts the machine; the guest stays paused while the monitor holds it.
     */
    public void releaseForDebugger() {
        parking.release(VcpuParking.Holder.START, vcpus);
        parking.release(VcpuParking.Holder.DEBUGGER, vcpus);
    }

    /** One inspection at a time: each holds {@link VcpuParking.Holder#INSPECTING} from start to end. */
    private final Object inspecting = new Object();

    /**
     * Runs {@code action} while no vCPU is inside KVM_RUN (vCPU ioctls such as KVM_GET_MSRS wait
     * for KVM_RUN to return, so a running guest must be held still to be looked at), then lets the
     * guest go on. The hold is the inspection's own: a pause by the monitor, {@code -S} or a
     * debugger's stop stays as it was, and {@code query-status} does not see the inspection.
     * @throws IllegalStateException when the guest has ended or a vCPU did not stop
     */
    public <T> T whilePaused(Supplier<T> action) {
        synchronized (inspecting) {
            if (!parking.hold(VcpuParking.Holder.INSPECTING)) {
                throw new IllegalStateException("the guest is not running");
            }
            try {
                if (!parking.parkAll(vcpus)) {
                    throw new IllegalStateException("the guest is not running");
                }
                return action.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the vCPUs");
            } finally {
                parking.release(VcpuParking.Holder.INSPECTING, vcpus);
            }
        }
    }

    /** The address spaces as QEMU's {@code info mtree} shows them: RAM, MMIO and port devices. */
    public String memoryTree() {
        return MemoryTree.render(memory.regions(), mmio.ranges(), io.ranges(), spec.irqchip());
    }

    /**
     * vCPU {@code index}'s state for a register dump, read on its own thread; inside
     * {@link #whilePaused} every vCPU's state is from the same stopped moment.
     */
    public CpuState cpuState(int index) {
        return onVcpu(index, CpuState::read);
    }

    private void performReset(boolean byGuest) {
        boolean done = false;
        try {
            if (!parking.parkAll(vcpus)) {
                return;
            }
            if (!powerOnReset.perform(vcpus, byGuest)) {
                end(VmOutcome.failure(VmOutcome.Kind.SYSTEM_EVENT, "vmm: guest reset more than "
                        + PowerOnReset.MAX_RESETS + " times in one run (reset loop?); stopped it"));
                return;
            }
            done = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR, "vmm: reset interrupted"));
        } catch (RuntimeException e) {
            end(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR, "vmm: reset failed: " + e.getMessage()));
        } finally {
            parking.release(VcpuParking.Holder.RESET, vcpus);
        }
        // Told once the reset is complete, so a new request made on hearing of it is carried out, not folded.
        if (done) {
            for (Runnable listener : resetListeners) {
                listener.run();
            }
        }
    }

    /** Subscribes to resets: {@code listener} runs after each in-place reset (the monitor turns it into a RESET event). */
    public void addResetListener(Runnable listener) {
        resetListeners.add(listener);
    }

    /** Stops the guest (kicking vCPUs that still run) and frees everything, in reverse order of creation. */
    @Override
    public void close() {
        end(VmOutcome.failure(VmOutcome.Kind.STOPPED, "vmm: VM closed"));
        boolean allStopped = true;
        for (Vcpu v : vcpus) {
            // kicked again every REKICK_MILLIS: one kick can be lost on the way into the guest
            // (seen under nested KVM on QEMU TCG), and a vCPU that never saw it would stay in KVM_RUN
            for (long waited = 0; v.isAlive() && waited < JOIN_MILLIS; waited += REKICK_MILLIS) {
                try {
                    v.join(REKICK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (v.isAlive()) {
                    v.stop();
                }
            }
            allStopped &= !v.isAlive();
        }
        if (!allStopped) {
            // A vCPU thread that did not leave KVM_RUN still uses the mappings: leak them rather than crash.
            return;
        }
        for (Vcpu v : vcpus) {
            v.close();
        }
        vmFd.close();
        memory.close();
        kvm.close();
    }
}
