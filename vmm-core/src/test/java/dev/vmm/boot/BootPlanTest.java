package dev.vmm.boot;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What a plan keeps when the machine adds to it. */
class BootPlanTest {
    private static final EntryState ENTRY = new EntryState(CpuMode.PROTECTED_32, 0x100000, 0, 0x6000, 0);

    @Test
    void addingTheFirmwareTablesKeepsTheInitrdFileWrite() {
        // The machine adds the ACPI tables after the loader planned kernel and initrd; the
        // initrd, read from its file when the plan is carried out, must still be in the plan
        // (it was dropped once: the guest found an initrd of the right size full of zeros).
        FileWrite initrd = new FileWrite(0xff00000L, Path.of("init.cpio.gz"), 0x1000);
        ZeroFill bss = new ZeroFill(0x200000, 0x1000);
        BootPlan kernel = new BootPlan(List.of(new MemoryWrite(0x100000, new byte[16])), List.of(bss), ENTRY,
                List.of(initrd));
        BootPlan withTables = kernel.withWrite(new MemoryWrite(0xe0000, new byte[64]));
        assertEquals(List.of(initrd), withTables.fileWrites());
        assertEquals(List.of(bss), withTables.zeroFills());
        assertEquals(ENTRY, withTables.entry());
        assertEquals(2, withTables.writes().size());
    }

    @Test
    void anAddedWriteOverlappingTheInitrdIsRefused() {
        BootPlan kernel = new BootPlan(List.of(), List.of(), ENTRY,
                List.of(new FileWrite(0xff00000L, Path.of("init.cpio.gz"), 0x1000)));
        assertThrows(BootException.class, () -> kernel.withWrite(new MemoryWrite(0xff00800L, new byte[16])));
    }
}
