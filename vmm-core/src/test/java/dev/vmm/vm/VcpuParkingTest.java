package dev.vmm.vm;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pause, reset and a debugger hold the vCPUs independently; they run again only when all have let
 * go. A debugger may let one vCPU run alone.
 */
class VcpuParkingTest {
    private final AtomicBoolean ended = new AtomicBoolean();
    private final VcpuParking parking = new VcpuParking(ended::get);

    @Test
    void eachHolderHoldsOnceAndReleasesOnlyWhatItHolds() {
        assertTrue(parking.hold(VcpuParking.Holder.MONITOR));
        assertFalse(parking.hold(VcpuParking.Holder.MONITOR), "a second pause is refused");
        assertTrue(parking.holds(VcpuParking.Holder.MONITOR));
        assertFalse(parking.release(VcpuParking.Holder.RESET), "reset did not hold");
        assertTrue(parking.release(VcpuParking.Holder.MONITOR));
        assertFalse(parking.holds(VcpuParking.Holder.MONITOR));
    }

    @Test
    void nobodyHoldsAVmThatEnded() {
        ended.set(true);
        assertFalse(parking.hold(VcpuParking.Holder.RESET));
    }

    @Test
    void aParkedVcpuWaitsUntilTheLastHolderLetsGo() throws Exception {
        parking.hold(VcpuParking.Holder.MONITOR);
        parking.hold(VcpuParking.Holder.RESET);
        assertTrue(parking.parkAll(List.of()), "no live vCPU: parked at once");
        assertTrue(parking.parkRequested());
        Thread vcpu = new Thread(() -> parking.park(0));
        vcpu.start();
        parking.release(VcpuParking.Holder.RESET);
        vcpu.join(300);
        assertTrue(vcpu.isAlive(), "still paused by the monitor");
        parking.release(VcpuParking.Holder.MONITOR);
        vcpu.join(5000);
        assertFalse(vcpu.isAlive(), "released when nobody holds");
        assertFalse(parking.parkRequested());
    }

    @Test
    void aParkedVcpuLeavesWhenTheVmEnds() throws Exception {
        parking.hold(VcpuParking.Holder.MONITOR);
        parking.parkAll(List.of());
        Thread vcpu = new Thread(() -> parking.park(0));
        vcpu.start();
        ended.set(true);
        vcpu.join(5000);
        assertFalse(vcpu.isAlive());
    }

    @Test
    void aDebuggerStopOutlastsTheMonitorsCont() throws Exception {
        assertTrue(parking.request(VcpuParking.Holder.DEBUGGER, List.of()));
        parking.hold(VcpuParking.Holder.MONITOR);
        Thread vcpu = new Thread(() -> parking.park(0));
        vcpu.start();
        parking.release(VcpuParking.Holder.MONITOR);
        vcpu.join(300);
        assertTrue(vcpu.isAlive(), "still stopped for the debugger");
        parking.release(VcpuParking.Holder.DEBUGGER);
        vcpu.join(5000);
        assertFalse(vcpu.isAlive());
    }

    @Test
    void oneVcpuRunsAloneUntilTheNextRequestWhileTheOthersStayParked() throws Exception {
        parking.request(VcpuParking.Holder.DEBUGGER, List.of());
        AtomicInteger letRun = new AtomicInteger();
        Thread stepper = new Thread(() -> {
            if (parking.park(1)) letRun.incrementAndGet();
        });
        Thread other = new Thread(() -> parking.park(0));
        stepper.start();
        other.start();
        assertThrows(IllegalStateException.class, () -> parking.runAlone(VcpuParking.Holder.MONITOR, 1),
                "only the holder that stopped the VM lets a vCPU run alone");
        parking.runAlone(VcpuParking.Holder.DEBUGGER, 1);
        stepper.join(5000);
        assertFalse(stepper.isAlive());
        assertEquals(1, letRun.get(), "vCPU 1 was let run");
        other.join(300);
        assertTrue(other.isAlive(), "vCPU 0 stays parked during the step");
        assertTrue(parking.park(1), "until the next request vCPU 1 goes on running alone");
        parking.request(VcpuParking.Holder.DEBUGGER, List.of());
        Thread stepperAgain = new Thread(() -> parking.park(1));
        stepperAgain.start();
        stepperAgain.join(300);
        assertTrue(stepperAgain.isAlive(), "the debugger's next stop parks it too");
        parking.release(VcpuParking.Holder.DEBUGGER);
        stepperAgain.join(5000);
        other.join(5000);
        assertFalse(stepperAgain.isAlive());
        assertFalse(other.isAlive());
    }
}
