package dev.vmm.vm;

import dev.vmm.cpu.IrqchipMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VmSpecTest {
    @Test
    void defaultsAreDenseIdsInKernelIrqchipAnonymousRamAndReboot() {
        VmSpec spec = VmSpec.of(64L << 20, 3);
        assertEquals(List.of(0, 1, 2), spec.apicIds());
        assertEquals(3, spec.cpuCount());
        assertEquals(IrqchipMode.ON, spec.irqchip());
        assertNull(spec.memPath());
        assertFalse(spec.noReboot());
    }

    @Test
    void eachWithChangesOnlyItsOwnPart() {
        VmSpec spec = VmSpec.of(64L << 20, 2).withIrqchip(IrqchipMode.SPLIT).withApicIds(List.of(0, 256))
                .withMemPath(Path.of("/tmp/ram")).withNoReboot(true);
        assertEquals(new VmSpec(64L << 20, List.of(0, 256), IrqchipMode.SPLIT, Path.of("/tmp/ram"), true), spec);
    }

    @Test
    void isImmutable() {
        List<Integer> ids = new ArrayList<>(List.of(0, 1));
        VmSpec spec = VmSpec.of(64L << 20, 1).withApicIds(ids);
        ids.add(2);
        assertEquals(List.of(0, 1), spec.apicIds());
        assertThrows(UnsupportedOperationException.class, () -> spec.apicIds().add(3));
    }

    @Test
    void refusesAVmWithoutVcpusOrIrqchipMode() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VmSpec.of(64L << 20, 0)).getMessage()
                .contains("at least one vCPU"));
        assertThrows(NullPointerException.class, () -> VmSpec.of(64L << 20, 1).withIrqchip(null));
    }
}
