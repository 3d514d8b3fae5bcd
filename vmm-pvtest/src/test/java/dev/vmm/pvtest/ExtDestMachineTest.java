package dev.vmm.pvtest;

import dev.vmm.cpu.IrqchipMode;
import dev.vmm.cpu.PvFeature;
import dev.vmm.vm.VmOutcome;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ExtDestMachineTest {
    @Test
    void extDestIdBootsSplitWithAnApicIdAbove255() {
        assertEquals(IrqchipMode.SPLIT, ExtDestMachine.irqchip(PvFeature.MSI_EXT_DEST_ID));
        assertEquals(List.of(0, 256), ExtDestMachine.apicIds(PvFeature.MSI_EXT_DEST_ID, 2));
        assertEquals(List.of(0, 1, 256), ExtDestMachine.apicIds(PvFeature.MSI_EXT_DEST_ID, 3));
        assertEquals(" pvtest.extdest=1", ExtDestMachine.append(PvFeature.MSI_EXT_DEST_ID));
    }

    @Test
    void otherFeaturesKeepTheUsualMachine() {
        assertEquals(IrqchipMode.ON, ExtDestMachine.irqchip(PvFeature.PV_EOI));
        assertEquals(List.of(0, 1), ExtDestMachine.apicIds(PvFeature.PV_EOI, 2));
        assertEquals("", ExtDestMachine.append(PvFeature.PV_EOI));
    }

    @Test
    void judgeReadsTheExtDestLine() {
        String log = "TAP version 14\n1..2\nok 1 - " + PvCheck.CPUID.description() + "\n"
                + "not ok 2 - " + PvCheck.MSI_EXT_DEST_ID.description() + "\n";
        Cell cell = CellJudge.judge(PvFeature.MSI_EXT_DEST_ID, Column.ON.setting(PvFeature.MSI_EXT_DEST_ID, 2), log,
                VmOutcome.powerOff(1), HypercallMode.NONE, true);
        assertEquals(Verdict.FAIL, cell.verdict());
        assertTrue(cell.reason().contains("kvm-msi-ext-dest-id"), cell.reason());
    }
}
