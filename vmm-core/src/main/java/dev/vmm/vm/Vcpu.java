package dev.vmm.vm;

import dev.vmm.startup.StartupClock;
import dev.vmm.bus.IoBus;
import dev.vmm.bus.MmioBus;
import dev.vmm.kvm.IoExit;
import dev.vmm.kvm.MmioExit;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.kvm.VcpuExit;
import dev.vmm.kvm.VcpuKicker;

import java.util.function.Consumer;

/**
 * One virtual CPU and the platform thread that runs it. The thread sits in {@code KVM_RUN} and
 * handles each exit: port I/O goes to the bus, everything that ends the VM is turned into a
 * {@link VmOutcome} and handed to the VM, which then kicks every other vCPU out.
 *
 * <p>Application processors start their thread at once too: with the in-kernel LAPIC they wait
 * inside {@code KVM_RUN} until the guest sends them INIT and SIPI.
 */
final class Vcpu implements Runnable {
    private final int index;
    private final VcpuFd fd;
    private final IoBus io;
    private final MmioBus mmio;
    private final Consumer<VmOutcome> onEnd;
    private final ExitReport reports;
    private final PauseGate gate;
    private volatile VcpuKicker kicker;
    /** Set before the thread starts (an exit trace, exit statistics); null when nobody listens. */
    private volatile ExitObserver exitObserver;
    /** Set before the thread starts (a debugger); null when none is attached. */
    private volatile DebugExitHandler debugHandler;
    private volatile boolean stopping;
    /** Whether this vCPU's current thread runs under the seccomp filter (VcpuSeccomp). */
    private volatile boolean filtered;
    private Thread thread;

    /**
     * Where a vCPU waits while the VM is paused (for a reset): {@link #pauseRequested} is checked
     * before every KVM_RUN; {@link #park} blocks until the pause is over; {@link #requestReset}
     * is how a vCPU asks for a reset (KVM_EXIT_SYSTEM_EVENT type reset).
     */
    interface PauseGate {
        boolean pauseRequested();

        /** @return true when this vCPU is let run on its own while the others stay parked (a debugger's single step) */
        boolean park(int index);

        void requestReset();
    }

    Vcpu(int index, VcpuFd fd, IoBus io, MmioBus mmio, ExitReport reports, Consumer<VmOutcome> onEnd, PauseGate gate) {
        this.gate = gate;
        this.index = index;
        this.fd = fd;
        this.io = io;
        this.mmio = mmio;
        this.reports = reports;
        this.onEnd = onEnd;
    }

    boolean filtered() {
        return filtered;
    }

    VcpuFd fd() {
        return fd;
    }

    void setExitObserver(ExitObserver observer) {
        this.exitObserver = observer;
    }

    void setDebugHandler(DebugExitHandler handler) {
        this.debugHandler = handler;
    }

    void start() {
        thread = new Thread(this, "vcpu-" + index);
        thread.setDaemon(true);
        thread.start();
    }

    /** Kicks the thread out of KVM_RUN (it then looks at the pause gate); returns at once. */
    void kick() {
        VcpuKicker k = kicker;
        if (k != null) {
            k.kick();
        }
    }

    boolean isStopping() {
        return stopping;
    }

    /** Asks the thread to leave KVM_RUN and stop; returns at once. */
    void stop() {
        stopping = true;
        VcpuKicker k = kicker;
        if (k != null) {
            k.kick();
        }
    }

    void join(long millis) throws InterruptedException {
        if (thread != null) {
            thread.join(millis);
        }
    }

    /** Kernel thread id of this vCPU's thread while it runs, 0 before it started or after it ended. */
    int threadId() {
        VcpuKicker k = kicker;
        return k == null ? 0 : k.tid();
    }

    boolean isAlive() {
        return thread != null && thread.isAlive();
    }

    @Override
    public void run() {
        try {
            // Before the guest runs a single instruction, so that nothing it provokes on this
            // thread can reach a denied call.
            filtered = VcpuSeccomp.applyToThisThread();
            VcpuKicker k = new VcpuKicker(fd);
            k.arm();
            kicker = k;
            if (stopping) {
                return;
            }
            StartupClock.mark("first KVM_RUN");
            while (!stopping) {
                if (gate.pauseRequested() && !gate.park(index)) {
                    continue;
                }
                VcpuExit exit = fd.run();
                if (exit instanceof VcpuExit.Interrupted) {
                    // A kick: consume it, then look at why we were kicked (pause gate, stopping).
                    kicker.acknowledge();
                    continue;
                }
                ExitObserver observer = exitObserver;
                if (observer == null) {
                    if (!handleExit(exit)) {
                        return;
                    }
                } else {
                    // Observed after handling, so an IN or MMIO read shows the value the guest got.
                    long exitNanos = System.nanoTime();
                    boolean goOn = handleExit(exit);
                    observer.onExit(index, fd, exit, exitNanos, System.nanoTime());
                    if (!goOn) {
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            onEnd.accept(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR,
                    "vmm: vCPU " + index + " failed: " + e.getMessage()));
        } finally {
            VcpuKicker k = kicker;
            if (k != null) {
                k.disarm();
            }
        }
    }

    /** @return false when this exit ends the VM */
    private boolean handleExit(VcpuExit exit) {
        // The frequent exits first; each is this vCPU's reusable view (no allocation).
        if (exit instanceof IoExit portIo) {
            handleIo(portIo);
            return true;
        }
        if (exit instanceof MmioExit access) {
            handleMmio(access);
            return true;
        }
        return handleRareExit(exit);
    }

    /** Exits that end the VM, ask for a reset or stop for a debugger. @return false when this exit ends the VM */
    private boolean handleRareExit(VcpuExit exit) {
        if (exit instanceof VcpuExit.SystemEvent event && event.isReset()) {
            gate.requestReset();
            return true;
        }
        if (exit instanceof VcpuExit.IrqWindowOpen) {
            return true; // never requested by vmm: the in-kernel LAPIC injects interrupts itself
        }
        if (exit instanceof VcpuExit.Debug debug) {
            DebugExitHandler handler = debugHandler;
            if (handler != null) {
                handler.onDebugExit(index, debug);
                return true;
            }
            onEnd.accept(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR, "vmm: vCPU " + index
                    + ": KVM_EXIT_DEBUG with no debugger attached"));
            return false;
        }
        onEnd.accept(outcomeOf(exit));
        return false;
    }

    private VmOutcome outcomeOf(VcpuExit exit) {
        if (exit instanceof VcpuExit.Hlt) {
            // Only reached without an in-kernel irqchip: nothing can wake this vCPU.
            return VmOutcome.failure(VmOutcome.Kind.STOPPED,
                    "vmm: vCPU " + index + " halted with no interrupt controller to wake it");
        }
        if (exit instanceof VcpuExit.Shutdown) {
            return VmOutcome.failure(VmOutcome.Kind.TRIPLE_FAULT, reports.tripleFault(index, fd));
        }
        if (exit instanceof VcpuExit.InternalError error) {
            return VmOutcome.failure(VmOutcome.Kind.INTERNAL_ERROR, reports.internalError(index, fd, error));
        }
        if (exit instanceof VcpuExit.FailEntry failure) {
            return VmOutcome.failure(VmOutcome.Kind.FAIL_ENTRY, reports.failEntry(index, fd, failure));
        }
        if (exit instanceof VcpuExit.SystemEvent event) {
            return event.isShutdown() ? VmOutcome.powerOff(0) : VmOutcome.failure(VmOutcome.Kind.SYSTEM_EVENT,
                    "vmm: guest system event " + event.typeName() + " on vCPU " + index);
        }
        String what = exit instanceof VcpuExit.Unknown unknown
                ? unknown.name() + " (" + unknown.reason() + ")"
                : exit.toString();
        return VmOutcome.failure(VmOutcome.Kind.VMM_ERROR, "vmm: vCPU " + index + ": unhandled KVM exit " + what);
    }

    private void handleMmio(MmioExit access) {
        if (access.isWrite()) {
            mmio.write(access.address(), access.length(), access.data());
        } else {
            access.setData(mmio.read(access.address(), access.length()));
        }
    }

    private void handleIo(IoExit exit) {
        int port = exit.port();
        int size = exit.size();
        int count = exit.count();
        boolean out = exit.isOut();
        for (int i = 0; i < count; i++) {
            if (out) {
                io.write(port, size, exit.data(i));
            } else {
                exit.setData(i, io.read(port, size));
            }
        }
    }
}
