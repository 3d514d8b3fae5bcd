package dev.vmm.vm;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Keeps every vCPU parked outside {@code KVM_RUN} for as long as anyone holds the VM still: the
 * monitor's pause (QMP {@code stop}) or a reset under way, each independently. A vCPU thread
 * checks {@link #parkRequested} before every {@code KVM_RUN} and waits in {@link #park} until the
 * last holder lets go, or the VM ends.
 */
final class VcpuParking {
    /** Who holds the VM still. */
    enum Holder { MONITOR, RESET }

    /** How often waiters look whether the VM ended (ending does not notify this lock). */
    private static final long POLL_MILLIS = 50;

    private final Object lock = new Object();
    private final Set<Holder> holders = EnumSet.noneOf(Holder.class);
    private final BooleanSupplier vmEnded;
    private volatile boolean requested;
    /** vCPUs parked in the current round; a round ends when the last holder lets go. */
    private int parked;
    private long round;

    VcpuParking(BooleanSupplier vmEnded) {
        this.vmEnded = vmEnded;
    }

    /** Takes hold for {@code holder}; false when it already holds or the VM has ended. Does not wait. */
    boolean hold(Holder holder) {
        synchronized (lock) {
            if (holders.contains(holder) || vmEnded.getAsBoolean()) {
                return false;
            }
            holders.add(holder);
            return true;
        }
    }

    boolean holds(Holder holder) {
        synchronized (lock) {
            return holders.contains(holder);
        }
    }

    /** Lets go for {@code holder}; the vCPUs run again once nobody holds. @return false when it did not hold */
    boolean release(Holder holder) {
        synchronized (lock) {
            if (!holders.remove(holder)) {
                return false;
            }
            if (holders.isEmpty()) {
                requested = false;
                parked = 0;
                round++;
                lock.notifyAll();
            }
            return true;
        }
    }

    /**
     * Asks every vCPU to park, kicks them out of {@code KVM_RUN} and waits until every live one has
     * parked. @return false when the VM ended first
     */
    boolean parkAll(List<Vcpu> vcpus) throws InterruptedException {
        synchronized (lock) {
            if (!requested) {
                requested = true;
                parked = 0;
            }
        }
        for (Vcpu v : vcpus) {
            v.kick();
        }
        synchronized (lock) {
            while (parked < live(vcpus)) {
                if (vmEnded.getAsBoolean()) {
                    return false;
                }
                lock.wait(POLL_MILLIS);
            }
            return true;
        }
    }

    /** vCPUs whose thread still runs (a vCPU that ended cannot park). */
    private static int live(List<Vcpu> vcpus) {
        int n = 0;
        for (Vcpu v : vcpus) {
            if (v.isAlive()) n++;
        }
        return n;
    }

    /** Checked by a vCPU thread before every KVM_RUN. */
    boolean parkRequested() {
        return requested;
    }

    /** On a vCPU thread that saw {@link #parkRequested}: waits until the round is over or the VM ends. */
    void park() {
        synchronized (lock) {
            long myRound = round;
            parked++;
            lock.notifyAll();
            while (round == myRound && !vmEnded.getAsBoolean()) {
                try {
                    lock.wait(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
