package dev.vmm.vm;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Keeps every vCPU parked outside {@code KVM_RUN} for as long as anyone holds the VM still: the
 * monitor's pause (QMP {@code stop}), QEMU's {@code -S}, a debugger's stop, a reset under way, or
 * a stop that reads the registers, each independently. A vCPU thread checks {@link #parkRequested}
 * before every {@code KVM_RUN} and waits in {@link #park} until the last holder lets go, or the VM
 * ends. A debugger may let one vCPU out on its own ({@link #runAlone}) for a single step.
 */
final class VcpuParking {
    /** Who holds the VM still. */
    enum Holder {
        /** QMP {@code stop}. */
        MONITOR,
        /** QEMU's {@code -S}: until the first {@code cont} or debugger continue. */
        START,
        /** A debugger looks at the stopped guest (all-stop). */
        DEBUGGER,
        /** A reset puts the power-on state back. */
        RESET,
        /** A stop (timeout, signal) reads every vCPU's registers before the run ends. */
        STOPPING,
        /** The monitor looks at registers, MSRs or page tables for a moment ({@code info registers}, {@code x}). */
        INSPECTING
    }

    /** How often waiters look whether the VM ended (ending does not notify this lock). */
    private static final long POLL_MILLIS = 50;
    /** How long a vCPU may take to park before it is kicked again. */
    private static final long REKICK_MILLIS = 250;

    private final Object lock = new Object();
    private final Set<Holder> holders = EnumSet.noneOf(Holder.class);
    private final BooleanSupplier vmEnded;
    private volatile boolean requested;
    /** vCPUs parked in the current round; a round ends when the last holder lets go. */
    private int parked;
    private long round;
    /** The one vCPU let run while the others stay parked (a debugger's single step), or -1. */
    private int solo = -1;

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
                solo = -1;
                round++;
                lock.notifyAll();
            }
            return true;
        }
    }

    /**
     * Takes hold for {@code holder} (if it does not already), asks every vCPU to park and kicks them
     * out of {@code KVM_RUN}, without waiting: safe on a vCPU thread, which parks when it is back in
     * its loop. A vCPU let run alone parks too. @return false when the VM has ended
     */
    boolean request(Holder holder, List<Vcpu> vcpus) {
        synchronized (lock) {
            if (vmEnded.getAsBoolean()) {
                return false;
            }
            holders.add(holder);
            solo = -1;
            askToPark();
        }
        for (Vcpu v : vcpus) {
            v.kick();
        }
        return true;
    }

    /**
     * Asks every vCPU to park, kicks them out of {@code KVM_RUN} and waits until every live one has
     * parked. @return false when the VM ended first
     */
    boolean parkAll(List<Vcpu> vcpus) throws InterruptedException {
        synchronized (lock) {
            askToPark();
        }
        for (Vcpu v : vcpus) {
            v.kick();
        }
        return awaitParked(vcpus, 0);
    }

    /** Caller holds the lock. A new round only when no park was asked for: vCPUs already parked stay counted. */
    private void askToPark() {
        if (!requested) {
            requested = true;
            parked = 0;
        }
    }

    /**
     * Waits until every live vCPU has parked. @param timeoutMillis 0: no limit
     * @return false when the VM ended first or the time ran out
     */
    boolean awaitParked(List<Vcpu> vcpus, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long nextKick = System.currentTimeMillis() + REKICK_MILLIS;
        while (true) {
            synchronized (lock) {
                if (parked >= live(vcpus)) {
                    return true;
                }
                if (vmEnded.getAsBoolean() || (timeoutMillis > 0 && System.currentTimeMillis() >= deadline)) {
                    return false;
                }
                lock.wait(POLL_MILLIS);
                if (parked >= live(vcpus) || System.currentTimeMillis() < nextKick) {
                    continue;
                }
            }
            // still not all parked: kick again (outside the lock), since a kick can be lost on the way
            // into the guest (seen under nested KVM on QEMU TCG); a parked vCPU just consumes it
            nextKick = System.currentTimeMillis() + REKICK_MILLIS;
            for (Vcpu v : vcpus) {
                v.kick();
            }
        }
    }

    /**
     * Lets only vCPU {@code index} run while the others stay parked, until the next {@link #request}
     * (a debugger's single step). Only while {@code holder} holds the VM still.
     */
    void runAlone(Holder holder, int index) {
        synchronized (lock) {
            if (!holders.contains(holder)) {
                throw new IllegalStateException("running one vCPU alone needs the VM held by " + holder);
            }
            solo = index;
            lock.notifyAll();
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

    /**
     * On a vCPU thread that saw {@link #parkRequested}: waits until the round is over or the VM
     * ends. @return true when this vCPU is let run alone ({@link #runAlone}) while the others stay parked
     */
    boolean park(int index) {
        synchronized (lock) {
            if (solo == index) {
                return true;
            }
            long myRound = round;
            parked++;
            lock.notifyAll();
            while (round == myRound && !vmEnded.getAsBoolean()) {
                if (solo == index) {
                    parked--;
                    return true;
                }
                try {
                    lock.wait(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
    }
}
