package dev.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ElfFileTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void parsesHeaderSegmentsAndNotes(boolean is64) {
        byte[] code = {1, 2, 3, 4, 5};
        byte[] img = TestElf.pvh(is64, 0x100040).entry(0x100010).segment(0x100000, code, 0x2000).build();
        ElfFile elf = ElfFile.parse("k", img);
        assertEquals(is64, elf.is64());
        assertEquals(is64 ? ElfFile.EM_X86_64 : ElfFile.EM_386, elf.machine());
        assertEquals(0x100010, elf.entry());
        List<ProgramHeader> load = elf.loadSegments();
        assertEquals(1, load.size());
        ProgramHeader ph = load.get(0);
        assertEquals(0x100000, ph.paddr());
        assertEquals(5, ph.filesz());
        assertEquals(0x2000, ph.memsz());
        assertArrayEquals(code, elf.segmentData(ph));
        assertEquals(1, elf.notes().size());
        ElfNote n = elf.notes().get(0);
        assertEquals("Xen", n.name());
        assertEquals(18, n.type());
        assertEquals(0x100040, PvhLoader.phys32Entry(elf).orElseThrow());
    }

    @Test
    void rejectsNonElf() {
        assertFalse(ElfFile.isElf(new byte[] {1, 2, 3, 4}));
        BootException e = assertThrows(BootException.class, () -> ElfFile.parse("x", new byte[64]));
        assertEquals("x: not an ELF file", e.getMessage());
    }

    @Test
    void truncatedHeader() {
        byte[] img = TestElf.pvh(true, 0x100000).segment(0x100000, new byte[16], 16).build();
        BootException e = assertThrows(BootException.class, () -> ElfFile.parse("k", Arrays.copyOf(img, 40)));
        assertTrue(e.getMessage().startsWith("k: truncated ELF header"), e.getMessage());
    }

    @Test
    void truncatedProgramHeaders() {
        byte[] img = new TestElf(false).segment(0x100000, new byte[16], 16).build();
        BootException e = assertThrows(BootException.class, () -> ElfFile.parse("k", Arrays.copyOf(img, 60)));
        assertTrue(e.getMessage().contains("program headers end beyond the file"), e.getMessage());
    }

    @Test
    void truncatedSegment() {
        byte[] img = new TestElf(true).segment(0x100000, new byte[64], 64).build();
        BootException e = assertThrows(BootException.class, () -> ElfFile.parse("k", Arrays.copyOf(img, img.length - 8)));
        assertTrue(e.getMessage().startsWith("k: truncated ELF file: segment 0"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void rejectsBigEndianAndForeignMachine() {
        byte[] img = new TestElf(false).segment(0x100000, new byte[4], 4).build();
        byte[] be = img.clone();
        be[5] = 2;
        assertEquals("k: not a little-endian ELF file",
                assertThrows(BootException.class, () -> ElfFile.parse("k", be)).getMessage());
        byte[] arm = img.clone();
        arm[18] = 40;
        assertTrue(assertThrows(BootException.class, () -> ElfFile.parse("k", arm)).getMessage()
                .startsWith("k: not an x86 ELF file"));
    }
}
