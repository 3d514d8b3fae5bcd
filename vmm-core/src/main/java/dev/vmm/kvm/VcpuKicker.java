package dev.vmm.kvm;

import dev.vmm.host.LibC;
import com.sun.jna.Memory;

/**
 * Kicks a vCPU thread out of KVM_RUN without running any Java in a signal handler.
 *
 * <p>Scheme (as in QEMU's SIG_IPI): the vCPU thread keeps {@link #SIGNAL} blocked at all
 * times, and KVM_SET_SIGNAL_MASK gives KVM a mask <em>without</em> it, so the signal is
 * deliverable only while the thread sits in KVM_RUN. A kick sets {@code immediate_exit}
 * (covers the window just before KVM_RUN) and sends the signal with tgkill. KVM sees a
 * pending unblocked signal, returns EINTR, restores the thread's mask - so the signal is
 * never actually delivered (its default action would kill the JVM) and stays pending until
 * {@link #acknowledge()} consumes it with sigtimedwait. The kernel checks the saved mask
 * ({@code real_blocked}) before treating the signal as fatal, which is what makes this safe.
 *
 * <p>Use: {@link #arm()} on the vCPU thread before its first KVM_RUN; {@link #kick()} from
 * any thread; after {@link VcpuFd#run()} returns {@link VcpuExit.Interrupted}, the vCPU thread calls
 * {@link #acknowledge()} before running again.
 */
public final class VcpuKicker {
    /** SIGRTMIN+6 (kernel SIGRTMIN is 32; glibc reserves 32-34 for itself). */
    public static final int SIGNAL = 40;

    private final VcpuFd vcpu;
    /** Only the kick signal, for sigtimedwait; used only by the vCPU thread. */
    private final Memory waitSet = new Memory(LibC.SIGSET_T_SIZE);
    private final Memory zeroTimeout = new Memory(16);
    private volatile int tid;

    public VcpuKicker(VcpuFd vcpu) {
        this.vcpu = vcpu;
        waitSet.clear();
        LibC.sigaddset(waitSet, SIGNAL);
        zeroTimeout.clear();
    }

    /** Must be called on the vCPU thread before its first KVM_RUN. */
    public void arm() {
        Memory block = new Memory(LibC.SIGSET_T_SIZE);
        block.clear();
        LibC.sigaddset(block, SIGNAL);
        Memory old = new Memory(LibC.SIGSET_T_SIZE);
        old.clear();
        int rc = LibC.pthread_sigmask(LibC.SIG_BLOCK, block, old);
        if (rc != 0) {
            // pthread_sigmask returns the error number instead of setting errno
            throw new KvmException("pthread_sigmask", rc);
        }
        // While in KVM_RUN: the thread's previous mask, with SIGNAL explicitly unblocked.
        long kernelMask = old.getLong(0) & ~(1L << (SIGNAL - 1));
        vcpu.setSignalMask(kernelMask);
        tid = LibC.gettid();
    }

    /** Kernel tid of the armed vCPU thread, or 0 before {@link #arm()}. */
    public int tid() {
        return tid;
    }

    /** Forces the vCPU out of (or prevents it from entering) KVM_RUN. Callable from any thread. */
    public void kick() {
        vcpu.kvmRun().immediateExit(true);
        synchronized (this) {
            int t = tid;
            if (t == 0 || t == LibC.gettid()) {
                return; // not armed, or the vCPU thread itself: it is not in KVM_RUN, the flag is enough
            }
            if (LibC.tgkill(LibC.getpid(), t, SIGNAL) != 0) {
                throw KvmException.lastError("tgkill");
            }
        }
    }

    /**
     * On the vCPU thread before it ends: stops further kicks and consumes any still pending.
     * This matters because HotSpot restores a thread's original signal mask when the thread
     * exits, which would deliver a pending kick, and its default action ends the process.
     */
    public void disarm() {
        synchronized (this) {
            tid = 0;
        }
        acknowledge();
    }

    /**
     * On the vCPU thread after an interrupted KVM_RUN: consumes all pending kick signals
     * (real-time signals queue, so several kicks leave several instances) and clears
     * immediate_exit. Returns the number of signals consumed.
     */
    public int acknowledge() {
        vcpu.kvmRun().immediateExit(false);
        int n = 0;
        while (LibC.sigtimedwait(waitSet, null, zeroTimeout) == SIGNAL) {
            n++;
        }
        return n;
    }
}
