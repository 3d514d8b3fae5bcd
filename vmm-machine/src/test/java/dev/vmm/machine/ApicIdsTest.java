package dev.vmm.machine;

import dev.vmm.cpu.IrqchipMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ApicIdsTest {
    private static String error(Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void parsesACommaList() {
        assertEquals(List.of(0, 256, 3), ApicIds.parse("0, 256,3"));
        assertTrue(error(() -> ApicIds.parse("0,,1")).contains("'' is not a number"));
        assertTrue(error(() -> ApicIds.parse("0,0x100")).contains("'0x100' is not a number"));
    }

    @Test
    void acceptsSparseIdsWithSplitIrqchip() {
        ApicIds.validate(List.of(0, 256), 2, IrqchipMode.SPLIT);
        ApicIds.validate(List.of(0, 7, 254), 3, IrqchipMode.ON);
        assertTrue(ApicIds.needsX2apic(List.of(0, 255)));
        assertFalse(ApicIds.needsX2apic(List.of(0, 254)));
    }

    @Test
    void rejectsBadLists() {
        assertEquals("--apic-ids 0,256 lists 2 IDs but --smp is 3: give one APIC ID per vCPU",
                error(() -> ApicIds.validate(List.of(0, 256), 3, IrqchipMode.SPLIT)));
        assertEquals("--apic-ids 0,1,1: APIC ID 1 appears twice",
                error(() -> ApicIds.validate(List.of(0, 1, 1), 3, IrqchipMode.SPLIT)));
        assertEquals("--apic-ids 0,-1: APIC ID -1 is negative",
                error(() -> ApicIds.validate(List.of(0, -1), 2, IrqchipMode.SPLIT)));
        assertEquals("--apic-ids 1,0: the first ID (the boot CPU) must be 0",
                error(() -> ApicIds.validate(List.of(1, 0), 2, IrqchipMode.SPLIT)));
        assertEquals("--apic-ids 0,255: APIC ID 255 needs -M kernel-irqchip=split (the x2APIC API is enabled only there)",
                error(() -> ApicIds.validate(List.of(0, 255), 2, IrqchipMode.ON)));
    }

    @Test
    void configDefaultsToDenseIdsAndKeepsThemThroughWithInitrd() {
        MachineConfig c = new MachineConfig(Path.of("k"), null, 2L << 20, 3, "host", IrqchipMode.SPLIT, null);
        assertEquals(List.of(0, 1, 2), c.apicIds());
        MachineConfig sparse = c.withApicIds(List.of(0, 300, 5)).withInitrd(Path.of("i"));
        assertEquals(List.of(0, 300, 5), sparse.apicIds());
        assertThrows(IllegalArgumentException.class, () -> c.withApicIds(List.of(0, 1)));
    }
}
