package dev.vmm.vm;

import dev.vmm.startup.StartupClock;
import dev.vmm.bus.IoBus;
import dev.vmm.bus.MmioBus;
import dev.vmm.kvm.IoExit;
import dev.vmm.kvm.MmioExit;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.kvm.VcpuExit;
import dev.vmm.kvm.VcpuKicker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One virtual CPU and the platform thread that runs it. The thread sits in {@code KVM_RUN} and
 * handles each exit: port I/O goes to the bus, everything that ends the VM is turned into a
 * {@link VmOutcome} and handed to the VM, which then sends every vCPU a stop.
 *
 * <p>Application processors start their thread at once too: with the in-kernel LAPIC they wait
 * inside {@code KVM_RUN} until the guest sends them INIT and SIPI.
 *
 * <p>Everything other threads want of it goes through its one {@link VcpuMailbox} — pause, resume,
 * stop, and calls to carry out on this thread (register reads, a reset) — followed by a kick; the
 * thread takes the commands before its next {@code KVM_RUN}. Callers that wait repeat the kick
 * until it takes, because one kick can be lost on the way into the guest (seen under nested KVM
 * on QEMU TCG).
 */
final class Vcpu implements Runnable, VcpuParking.Parkable {
    private final int index;
    private final VcpuFd fd;
    private final IoBus io;
    private final MmioBus mmio;
    private final Consumer<VmOutcome> onEnd;
    private final ExitReport reports;
    private final Runnable requestReset;
    private final VcpuMailbox mailbox = new VcpuMailbox();
    private volatile VcpuKicker kicker;
    /** Set before the thread starts (an exit trace, exit statistics); null when nobody listens. */
    private volatile ExitObserver exitObserver;
    /** Set before the thread starts (a debugger); null when none is attached. */
    private volatile DebugExitHandler debugHandler;
    /** Whether this vCPU's current thread runs under the seccomp filter (VcpuSeccomp). */
    private volatile boolean filtered;
    private volatile Thread thread;
    private final Object kickLock = new Object();
    /** Set by {@link #close}: kvm_run is gone. */
    private boolean closed;

    /** How long a caller waits for a call to be carried out before it kicks the thread again. */
    private static final long REKICK_MILLIS = 250;

    /** @param requestReset how this vCPU asks for a reset (KVM_EXIT_SYSTEM_EVENT type reset) */
    Vcpu(int index, VcpuFd fd, IoBus io, MmioBus mmio, ExitReport reports, Consumer<VmOutcome> onEnd,
         Runnable requestReset) {
        this.requestReset = requestReset;
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

    /** Kicks the thread out of KVM_RUN (it then looks at its mailbox); returns at once. */
    @Override
    public void kick() {
        // under the lock that close takes: a kick writes kvm_run, which closing the vCPU unmaps,
        // and a thread that posts a stop may still kick while the VM is being closed after it
        synchronized (kickLock) {
            VcpuKicker k = kicker;
            if (k != null && !closed) {
                k.kick();
            }
        }
    }

    /** Closes the vCPU's file descriptor (and its kvm_run mapping); later kicks do nothing. Thread ended. */
    void close() {
        synchronized (kickLock) {
            closed = true;
            fd.close();
        }
    }

    /** Queues {@code command} and kicks the thread. @return false when the thread has ended */
    @Override
    public boolean post(VcpuCommand command) {
        boolean taken = mailbox.post(command);
        kick();
        return taken;
    }

    /** Asks the thread to leave KVM_RUN and stop; returns at once. */
    void stop() {
        post(VcpuCommand.STOP);
    }

    /** Outside KVM_RUN for now: paused with nothing left to take, or the thread is not running. */
    @Override
    public boolean isParked() {
        return !isAlive() || mailbox.isParked();
    }

    /** Waits up to {@code millis} for {@link #isParked}. */
    @Override
    public boolean awaitParked(long millis) throws InterruptedException {
        return !isAlive() || mailbox.awaitParked(millis);
    }

    VcpuRunState runState() {
        return mailbox.state();
    }

    /**
     * Carries out {@code action} on this vCPU's thread, between two KVM_RUN calls, and returns its
     * result; an exception it throws is thrown here. The thread runs it at once when parked, else
     * after the kick brings it out of the guest (then it runs on). On the vCPU thread itself, or
     * when there is no thread in KVM_RUN (not started, ended), {@code action} runs on the caller.
     */
    <T> T call(Function<VcpuFd, T> action) {
        Thread t = thread;
        if (t == null || t == Thread.currentThread()) {
            return action.apply(fd);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                result.complete(action.apply(fd));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        };
        if (!post(new VcpuCommand.Call(task))) {
            return action.apply(fd); // the thread has ended: nothing is in KVM_RUN
        }
        while (true) {
            try {
                return result.get(REKICK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                kick(); // not taken yet: the kick may have been lost
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) throw r;
                if (cause instanceof Error err) throw err;
                throw new IllegalStateException(cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for vCPU " + index);
            }
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
            // with -S a pause is queued before the thread starts: it parks before its first instruction
            if (mailbox.settle() == VcpuRunState.STOPPED) {
                return;
            }
            StartupClock.mark("first KVM_RUN");
            while (true) {
                if (mailbox.hasMail() && mailbox.settle() == VcpuRunState.STOPPED) {
                    return;
                }
                VcpuExit exit = fd.run();
                if (exit instanceof VcpuExit.Interrupted) {
                    // A kick: consume it, then look at the mailbox.
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
        } catch (InterruptedException e) {
            onEnd.accept(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR, "vmm: vCPU " + index + " interrupted"));
        } catch (RuntimeException e) {
            onEnd.accept(VmOutcome.failure(VmOutcome.Kind.VMM_ERROR,
                    "vmm: vCPU " + index + " failed: " + e.getMessage()));
        } finally {
            mailbox.close();
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
            requestReset.run();
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
