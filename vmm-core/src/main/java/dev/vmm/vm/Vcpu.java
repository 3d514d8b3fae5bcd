package dev.vmm.vm;

import dev.vmm.bus.IoBus;
import dev.vmm.bus.MmioBus;
import dev.vmm.kvm.KvmRun;
import dev.vmm.kvm.VcpuFd;
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
    /** Set before the thread starts (a debugger, an exit trace); null when nobody listens. */
    private volatile ExitObserver exitObserver;
    private volatile DebugExitHandler debugHandler;
    private volatile boolean stopping;
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
            VcpuKicker k = new VcpuKicker(fd);
            k.arm();
            kicker = k;
            if (stopping) {
                return;
            }
            KvmRun run = fd.kvmRun();
            while (!stopping) {
                if (gate.pauseRequested() && !gate.park(index)) {
                    continue;
                }
                if (!fd.run()) {
                    // EINTR: a kick. Consume it and look at why we were kicked.
                    kicker.acknowledge();
                    continue;
                }
                ExitObserver observer = exitObserver;
                if (observer == null) {
                    if (!handleExit(run)) {
                        return;
                    }
                } else {
                    long exitNanos = System.nanoTime();
                    boolean goOn = handleExit(run);
                    observer.onExit(index, fd, run, exitNanos, System.nanoTime());
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
    private boolean handleExit(KvmRun run) {
        int reason = run.exitReason();
        switch (reason) {
            case KvmRun.EXIT_IO -> {
                handleIo(run);
                return true;
            }
            case KvmRun.EXIT_HLT -> {
                // Only reached without an in-kernel irqchip: nothing can wake this vCPU.
                onEnd.accept(VmOutcome.failure(VmOutcome.Kind.STOPPED,
                        "vmm: vCPU " + index + " halted with no interrupt controller to wake it"));
                return false;
            }
            case KvmRun.EXIT_MMIO -> {
                long address = run.mmioPhysAddr();
                int len = run.mmioLen();
                if (run.mmioIsWrite()) {
                    mmio.write(address, len, len >= 8 ? run.mmioData() : run.mmioData() & ((1L << (8 * len)) - 1));
                } else {
                    run.mmioData(mmio.read(address, len));
                }
                return true;
            }
            case KvmRun.EXIT_INTR -> {
                return true;
            }
            case KvmRun.EXIT_DEBUG -> {
                DebugExitHandler handler = debugHandler;
                if (handler == null) {
                    onEnd.accept(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR, "vmm: vCPU " + index
                            + ": KVM_EXIT_DEBUG with no debugger attached"));
                    return false;
                }
                handler.onDebugExit(index, new DebugExit(run.debugException(), run.debugPc(), run.debugDr6(), run.debugDr7()));
                return true;
            }
            case KvmRun.EXIT_SHUTDOWN -> {
                onEnd.accept(VmOutcome.failure(VmOutcome.Kind.TRIPLE_FAULT, reports.tripleFault(index, fd)));
                return false;
            }
            case KvmRun.EXIT_INTERNAL_ERROR -> {
                onEnd.accept(VmOutcome.failure(VmOutcome.Kind.INTERNAL_ERROR, reports.internalError(index, fd, run)));
                return false;
            }
            case KvmRun.EXIT_FAIL_ENTRY -> {
                onEnd.accept(VmOutcome.failure(VmOutcome.Kind.FAIL_ENTRY, reports.failEntry(index, fd, run)));
                return false;
            }
            case KvmRun.EXIT_SYSTEM_EVENT -> {
                if (run.systemEventType() == KvmRun.SYSTEM_EVENT_RESET) {
                    gate.requestReset();
                    return true;
                }
                onEnd.accept(systemEvent(run));
                return false;
            }
            default -> {
                onEnd.accept(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR, "vmm: vCPU " + index
                        + ": unhandled KVM exit " + KvmRun.exitReasonName(reason) + " (" + reason + ")"));
                return false;
            }
        }
    }

    private VmOutcome systemEvent(KvmRun run) {
        int type = run.systemEventType();
        return switch (type) {
            case KvmRun.SYSTEM_EVENT_SHUTDOWN -> VmOutcome.powerOff(0);
            default -> VmOutcome.failure(VmOutcome.Kind.SYSTEM_EVENT,
                    "vmm: guest system event " + KvmRun.systemEventName(type) + " on vCPU " + index);
        };
    }

    private void handleIo(KvmRun run) {
        int port = run.ioPort();
        int size = run.ioSize();
        int count = run.ioCount();
        boolean out = run.ioIsOut();
        for (int i = 0; i < count; i++) {
            if (out) {
                io.write(port, size, run.ioData(i));
            } else {
                run.ioData(i, io.read(port, size));
            }
        }
    }
}
