package dev.vmm.pvtest;

import dev.vmm.cpu.PvFeature;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PvIpiMachineTest {
    @Test
    void kvmPvIpiPutsItsLastVcpuBeyondTheFirst64ApicIds() {
        assertEquals(List.of(0, 96), PvIpiMachine.apicIds(PvFeature.PV_IPI, List.of(0, 1)));
        assertEquals(List.of(0, 1, 96), PvIpiMachine.apicIds(PvFeature.PV_IPI, List.of(0, 1, 2)));
        assertTrue(PvIpiMachine.HIGH_ID >= 64 && PvIpiMachine.HIGH_ID < 128, "a bit of the high word with min 0");
    }

    @Test
    void otherRowsAndOneVcpuKeepTheirIds() {
        assertEquals(List.of(0, 1), PvIpiMachine.apicIds(PvFeature.PV_EOI, List.of(0, 1)));
        assertEquals(List.of(0, 256), PvIpiMachine.apicIds(PvFeature.MSI_EXT_DEST_ID, List.of(0, 256)));
        assertEquals(List.of(0), PvIpiMachine.apicIds(PvFeature.PV_IPI, List.of(0)));
    }
}
