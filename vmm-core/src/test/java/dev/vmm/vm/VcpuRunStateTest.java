package dev.vmm.vm;

import org.junit.jupiter.api.Test;

import static dev.vmm.vm.VcpuRunState.CREATED;
import static dev.vmm.vm.VcpuRunState.PAUSED;
import static dev.vmm.vm.VcpuRunState.RUNNING;
import static dev.vmm.vm.VcpuRunState.STOPPED;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The commands move a vCPU between running, paused and stopped; stopped is final, a call moves nothing. */
class VcpuRunStateTest {
    private static final VcpuCommand CALL = new VcpuCommand.Call(() -> { });

    @Test
    void pauseAndResumeMoveARunningVcpuBackAndForth() {
        assertEquals(PAUSED, RUNNING.after(VcpuCommand.PAUSE));
        assertEquals(RUNNING, PAUSED.after(VcpuCommand.RESUME));
        assertEquals(PAUSED, PAUSED.after(VcpuCommand.PAUSE), "a second pause keeps it paused");
        assertEquals(RUNNING, RUNNING.after(VcpuCommand.RESUME));
    }

    @Test
    void aVcpuPausedBeforeItsFirstRunParksWithoutRunning() {
        assertEquals(PAUSED, CREATED.after(VcpuCommand.PAUSE));
    }

    @Test
    void aStopIsFinal() {
        for (VcpuRunState s : VcpuRunState.values()) {
            assertEquals(STOPPED, s.after(VcpuCommand.STOP), s.name());
        }
        assertEquals(STOPPED, STOPPED.after(VcpuCommand.RESUME));
        assertEquals(STOPPED, STOPPED.after(VcpuCommand.PAUSE));
    }

    @Test
    void aCallLeavesTheStateAsItWas() {
        for (VcpuRunState s : VcpuRunState.values()) {
            assertEquals(s, s.after(CALL), s.name());
        }
    }
}
