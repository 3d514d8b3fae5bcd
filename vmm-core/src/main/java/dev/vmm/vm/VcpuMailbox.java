package dev.vmm.vm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One vCPU thread's run state and its one command queue. Other threads {@link #post} commands
 * (and then kick the thread out of {@code KVM_RUN}: that is {@link Vcpu}'s part); the vCPU thread
 * looks at {@link #hasMail} before every {@code KVM_RUN} and then {@link #settle}s: it takes the
 * commands in order, carries out calls, and while paused waits for the next command. Pure logic,
 * no KVM: the thread that settles is whatever thread calls it.
 */
final class VcpuMailbox {
    private final ArrayDeque<VcpuCommand> queue = new ArrayDeque<>();
    /** Whether the queue holds anything: read before every KVM_RUN, so one volatile read on the hot path. */
    private volatile boolean mail;
    private volatile VcpuRunState state = VcpuRunState.CREATED;
    /** Set when the thread has ended: commands are then refused and calls run on their caller. */
    private boolean closed;

    /** Queues {@code command}. @return false when the thread has ended and will take no more */
    synchronized boolean post(VcpuCommand command) {
        if (closed) {
            return false;
        }
        queue.add(command);
        mail = true;
        notifyAll();
        return true;
    }

    /** Whether commands wait; the vCPU thread then {@link #settle}s before entering the guest again. */
    boolean hasMail() {
        return mail;
    }

    VcpuRunState state() {
        return state;
    }

    /**
     * Parked for good measure: paused with nothing left to take (a pending resume would let it run),
     * or stopped. This is what a waiter for "every vCPU outside KVM_RUN" asks.
     */
    synchronized boolean isParked() {
        return state == VcpuRunState.STOPPED || (state == VcpuRunState.PAUSED && queue.isEmpty());
    }

    /** Waits up to {@code millis} for {@link #isParked}; woken when the thread parks or ends. */
    synchronized boolean awaitParked(long millis) throws InterruptedException {
        if (!isParked()) {
            wait(millis);
        }
        return isParked();
    }

    /**
     * On the vCPU thread: takes every queued command in order, carrying out calls (outside the
     * lock, so that a call may post), and while paused waits for more.
     * @return {@link VcpuRunState#RUNNING} (enter the guest) or {@link VcpuRunState#STOPPED} (leave)
     */
    VcpuRunState settle() throws InterruptedException {
        if (state == VcpuRunState.CREATED) {
            state = VcpuRunState.RUNNING;
        }
        while (true) {
            VcpuCommand next;
            synchronized (this) {
                while (queue.isEmpty()) {
                    mail = false;
                    if (state != VcpuRunState.PAUSED) {
                        return state;
                    }
                    notifyAll(); // parked: wake anyone who waits for that
                    wait();
                }
                next = queue.poll();
                mail = !queue.isEmpty();
                state = state.after(next);
            }
            if (next instanceof VcpuCommand.Call call) {
                call.task().run();
            }
        }
    }

    /**
     * On the vCPU thread as it ends: stopped, no further commands taken, and the calls still
     * queued carried out here, so that no caller waits for a thread that has gone.
     */
    void close() {
        List<Runnable> left = new ArrayList<>();
        synchronized (this) {
            closed = true;
            state = VcpuRunState.STOPPED;
            for (VcpuCommand c : queue) {
                if (c instanceof VcpuCommand.Call call) {
                    left.add(call.task());
                }
            }
            queue.clear();
            mail = false;
            notifyAll();
        }
        for (Runnable task : left) {
            task.run();
        }
    }
}
