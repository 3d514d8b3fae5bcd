package dev.vmm.vm;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pause and reset hold the vCPUs independently; they run again only when both have let go. */
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
        Thread vcpu = new Thread(parking::park);
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
        Thread vcpu = new Thread(parking::park);
        vcpu.start();
        ended.set(true);
        vcpu.join(5000);
        assertFalse(vcpu.isAlive());
    }
}
