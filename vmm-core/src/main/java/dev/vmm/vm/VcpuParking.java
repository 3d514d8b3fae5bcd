package dev.vmm.vm;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Keeps every vCPU parked outside {@code KVM_RUN} for as long as anyone holds the VM still: the
 * monitor's pause (QMP {@code stop}), QEMU's {@code -S}, a debugger's stop, a reset under way, a
 * stop that reads the registers, or a monitor command that looks at the guest, each independently.
 * The holders are counted here; the vCPUs hear of them only through their mailboxes: a
 * {@link VcpuCommand.Pause} when they are asked to park, a {@link VcpuCommand.Resume} when the last
 * holder lets go. Posts happen under this lock, so every vCPU sees them in the same order. A
 * debugger may let one vCPU out on its own ({@link #runAlone}) for a single step.
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

    /** What parking needs of a vCPU ({@link Vcpu}): its mailbox, a kick, and whether it is outside KVM_RUN. */
    interface Parkable {
        /** Queues {@code command} and kicks. @return false when the vCPU thread has ended */
        boolean post(VcpuCommand command);

        /** Kicks again (a kick can be lost); returns at once. */
        void kick();

        /** Outside KVM_RUN for now: paused with nothing left to take, or no thread running. */
        boolean isParked();

        /** Waits up to {@code millis} for {@link #isParked}. */
        boolean awaitParked(long millis) throws InterruptedException;
    }

    /** How often waiters look whether the vCPUs parked or the VM ended. */
    private static final long POLL_MILLIS = 50;
    /** How long a vCPU may take to park before it is kicked again. */
    private static final long REKICK_MILLIS = 250;

    private final Object lock = new Object();
    private final Set<Holder> holders = EnumSet.noneOf(Holder.class);
    private final BooleanSupplier vmEnded;
    /** The one vCPU let run while the others stay parked (a debugger's single step), or -1. */
    private int solo = -1;

    VcpuParking(BooleanSupplier vmEnded) {
        this.vmEnded = vmEnded;
    }

    /** Takes hold for {@code holder}; false when it already holds or the VM has ended. Parks nothing yet. */
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
    boolean release(Holder holder, List<? extends Parkable> vcpus) {
        synchronized (lock) {
            if (!holders.remove(holder)) {
                return false;
            }
            if (holders.isEmpty()) {
                solo = -1;
                postToAll(VcpuCommand.RESUME, vcpus, -1);
            }
            return true;
        }
    }

    /**
     * Takes hold for {@code holder} (if it does not already) and asks every vCPU to park, a vCPU let
     * run alone too, without waiting: safe on a vCPU thread, which parks when it is back in its
     * loop. @return false when the VM has ended
     */
    boolean request(Holder holder, List<? extends Parkable> vcpus) {
        synchronized (lock) {
            if (vmEnded.getAsBoolean()) {
                return false;
            }
            holders.add(holder);
            solo = -1;
            postToAll(VcpuCommand.PAUSE, vcpus, -1);
        }
        return true;
    }

    /**
     * Asks every vCPU to park and waits until every live one has. A vCPU let run alone for a
     * debugger's step is not stopped: it parks when its step is over. @return false when the VM ended first
     */
    boolean parkAll(List<? extends Parkable> vcpus) throws InterruptedException {
        synchronized (lock) {
            postToAll(VcpuCommand.PAUSE, vcpus, solo);
        }
        return awaitParked(vcpus, 0);
    }

    /** Caller holds the lock. Posts and kicks, leaving out vCPU {@code except} (-1: none). */
    private static void postToAll(VcpuCommand command, List<? extends Parkable> vcpus, int except) {
        for (int i = 0; i < vcpus.size(); i++) {
            if (i != except) {
                vcpus.get(i).post(command);
            }
        }
    }

    /**
     * Waits until every live vCPU has parked. @param timeoutMillis 0: no limit
     * @return false when the VM ended first or the time ran out
     */
    boolean awaitParked(List<? extends Parkable> vcpus, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long nextKick = System.currentTimeMillis() + REKICK_MILLIS;
        while (true) {
            Parkable running = null;
            for (Parkable v : vcpus) {
                if (!v.isParked()) {
                    running = v;
                    break;
                }
            }
            if (running == null) {
                return true;
            }
            if (vmEnded.getAsBoolean() || (timeoutMillis > 0 && System.currentTimeMillis() >= deadline)) {
                return false;
            }
            running.awaitParked(POLL_MILLIS);
            if (System.currentTimeMillis() >= nextKick) {
                // still not all parked: kick again, since a kick can be lost on the way into the
                // guest (seen under nested KVM on QEMU TCG); a parked vCPU just consumes it later
                nextKick = System.currentTimeMillis() + REKICK_MILLIS;
                for (Parkable v : vcpus) {
                    if (!v.isParked()) {
                        v.kick();
                    }
                }
            }
        }
    }

    /**
     * Lets only vCPU {@code index} run while the others stay parked, until the next {@link #request}
     * (a debugger's single step). Only while {@code holder} holds the VM still.
     */
    void runAlone(Holder holder, int index, List<? extends Parkable> vcpus) {
        synchronized (lock) {
            if (!holders.contains(holder)) {
                throw new IllegalStateException("running one vCPU alone needs the VM held by " + holder);
            }
            solo = index;
            vcpus.get(index).post(VcpuCommand.RESUME);
        }
    }
}
