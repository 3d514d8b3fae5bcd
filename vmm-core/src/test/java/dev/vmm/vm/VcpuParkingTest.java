package dev.vmm.vm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pause, reset and a debugger hold the vCPUs independently; they run again only when all have let
 * go. A debugger may let one vCPU run alone. The vCPUs here are threads that loop over a real
 * {@link VcpuMailbox} as a vCPU thread does, with a counter where KVM_RUN would be.
 */
class VcpuParkingTest {
    private final AtomicBoolean ended = new AtomicBoolean();
    private final VcpuParking parking = new VcpuParking(ended::get);
    private final List<LoopingVcpu> vcpus = new ArrayList<>();

    /** A vCPU thread without KVM: between "runs" it settles its mailbox, as {@link Vcpu#run} does. */
    private static final class LoopingVcpu implements VcpuParking.Parkable {
        final VcpuMailbox mailbox = new VcpuMailbox();
        final AtomicLong runs = new AtomicLong();
        final Thread thread = new Thread(this::loop);

        private void loop() {
            try {
                if (mailbox.settle() == VcpuRunState.STOPPED) {
                    return;
                }
                while (!mailbox.hasMail() || mailbox.settle() != VcpuRunState.STOPPED) {
                    runs.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                mailbox.close();
            }
        }

        @Override
        public boolean post(VcpuCommand command) {
            return mailbox.post(command);
        }

        @Override
        public void kick() {
            // nothing to kick out of: the loop looks at its mailbox after every run
        }

        @Override
        public boolean isParked() {
            return !thread.isAlive() || mailbox.isParked();
        }

        @Override
        public boolean awaitParked(long millis) throws InterruptedException {
            return !thread.isAlive() || mailbox.awaitParked(millis);
        }

        /** Whether it ran during a moment. */
        boolean runsFor(long millis) throws InterruptedException {
            long before = runs.get();
            Thread.sleep(millis);
            return runs.get() != before;
        }
    }

    private List<LoopingVcpu> start(int n) {
        for (int i = 0; i < n; i++) {
            LoopingVcpu v = new LoopingVcpu();
            vcpus.add(v);
            v.thread.start();
        }
        return vcpus;
    }

    /** {@code n} vCPUs, all parked by a debugger's stop. */
    private void stoppedByDebugger(int n) throws InterruptedException {
        start(n);
        parking.request(VcpuParking.Holder.DEBUGGER, vcpus);
        assertTrue(parking.awaitParked(vcpus, 0));
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (LoopingVcpu v : vcpus) {
            v.post(VcpuCommand.STOP);
            v.thread.join(5000);
        }
    }

    @Test
    void eachHolderHoldsOnceAndReleasesOnlyWhatItHolds() {
        assertTrue(parking.hold(VcpuParking.Holder.MONITOR));
        assertFalse(parking.hold(VcpuParking.Holder.MONITOR), "a second pause is refused");
        assertTrue(parking.holds(VcpuParking.Holder.MONITOR));
        assertFalse(parking.release(VcpuParking.Holder.RESET, vcpus), "reset did not hold");
        assertTrue(parking.release(VcpuParking.Holder.MONITOR, vcpus));
        assertFalse(parking.holds(VcpuParking.Holder.MONITOR));
    }

    @Test
    void nobodyHoldsAVmThatEnded() {
        ended.set(true);
        assertFalse(parking.hold(VcpuParking.Holder.RESET));
    }

    @Test
    void parkedVcpusWaitUntilTheLastHolderLetsGo() throws Exception {
        start(2);
        parking.hold(VcpuParking.Holder.MONITOR);
        parking.hold(VcpuParking.Holder.RESET);
        assertTrue(parking.parkAll(vcpus));
        assertFalse(vcpus.get(0).runsFor(100), "parked");
        parking.release(VcpuParking.Holder.RESET, vcpus);
        assertFalse(vcpus.get(1).runsFor(100), "still paused by the monitor");
        parking.release(VcpuParking.Holder.MONITOR, vcpus);
        assertTrue(vcpus.get(0).runsFor(200), "released when nobody holds");
        assertTrue(vcpus.get(1).runsFor(200));
    }

    @Test
    void aVcpuPausedBeforeItStartsNeverRuns() throws Exception {
        LoopingVcpu v = new LoopingVcpu();
        vcpus.add(v);
        parking.request(VcpuParking.Holder.START, vcpus);
        v.thread.start();
        assertTrue(parking.awaitParked(vcpus, 5000));
        assertFalse(v.runsFor(100));
        assertTrue(v.runs.get() == 0, "-S: not one instruction before cont");
        parking.release(VcpuParking.Holder.START, vcpus);
        assertTrue(v.runsFor(200));
    }

    @Test
    void waitingForParkedVcpusEndsWhenTheVmEnds() throws Exception {
        LoopingVcpu v = new LoopingVcpu();
        vcpus.add(v);
        v.thread.start();
        // nobody asked it to park: only the VM's end lets the waiter go
        ended.set(true);
        assertFalse(parking.awaitParked(vcpus, 0));
    }

    @Test
    void aDebuggerStopOutlastsTheMonitorsCont() throws Exception {
        start(1);
        assertTrue(parking.request(VcpuParking.Holder.DEBUGGER, vcpus));
        parking.hold(VcpuParking.Holder.MONITOR);
        assertTrue(parking.parkAll(vcpus));
        parking.release(VcpuParking.Holder.MONITOR, vcpus);
        assertFalse(vcpus.get(0).runsFor(100), "still stopped for the debugger");
        parking.release(VcpuParking.Holder.DEBUGGER, vcpus);
        assertTrue(vcpus.get(0).runsFor(200));
    }

    @Test
    void oneVcpuRunsAloneUntilTheNextRequestWhileTheOthersStayParked() throws Exception {
        stoppedByDebugger(2);
        assertThrows(IllegalStateException.class, () -> parking.runAlone(VcpuParking.Holder.MONITOR, 1, vcpus),
                "only the holder that stopped the VM lets a vCPU run alone");
        parking.runAlone(VcpuParking.Holder.DEBUGGER, 1, vcpus);
        assertTrue(vcpus.get(1).runsFor(200), "vCPU 1 was let run");
        assertFalse(vcpus.get(0).runsFor(100), "vCPU 0 stays parked during the step");
        assertFalse(parking.awaitParked(vcpus, 200), "vCPU 1 is not parked while it runs alone");
        parking.request(VcpuParking.Holder.DEBUGGER, vcpus);
        assertTrue(parking.awaitParked(vcpus, 0), "the debugger's next stop parks it too");
        assertFalse(vcpus.get(1).runsFor(100));
        parking.release(VcpuParking.Holder.DEBUGGER, vcpus);
        assertTrue(vcpus.get(0).runsFor(200));
        assertTrue(vcpus.get(1).runsFor(200));
    }

    @Test
    void theMonitorsPauseLetsAVcpuFinishItsStepAlone() throws Exception {
        stoppedByDebugger(2);
        parking.runAlone(VcpuParking.Holder.DEBUGGER, 0, vcpus);
        parking.hold(VcpuParking.Holder.MONITOR);
        // parkAll leaves the stepping vCPU alone; it parks when the debugger stops it again
        Thread pauser = new Thread(() -> {
            try {
                parking.parkAll(vcpus);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        pauser.start();
        assertTrue(vcpus.get(0).runsFor(200), "the step goes on");
        parking.request(VcpuParking.Holder.DEBUGGER, vcpus);
        pauser.join(5000);
        assertFalse(pauser.isAlive(), "the pause is complete once the debugger's stop parked it");
    }
}
