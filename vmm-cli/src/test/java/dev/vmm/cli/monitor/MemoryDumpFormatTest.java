package dev.vmm.cli.monitor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The /FMT of x and xp, parsed as QEMU's monitor does, with its defaults carried from one dump to the next. */
class MemoryDumpFormatTest {
    private static MemoryDumpFormat parse(String text, MemoryDumpFormat previous) {
        return MemoryDumpFormat.parse(text, previous).format();
    }

    @Test
    void countFormatAndSizeInAnyOrder() {
        assertEquals(new MemoryDumpFormat(4, 'x', 8), parse("/4xg 0x1000", MemoryDumpFormat.INITIAL));
        assertEquals(new MemoryDumpFormat(16, 'c', 1), parse(" /16bc", MemoryDumpFormat.INITIAL));
        assertEquals(new MemoryDumpFormat(2, 'd', 2), parse("/2hd", MemoryDumpFormat.INITIAL));
        assertEquals(new MemoryDumpFormat(1, 'u', 8), parse("/uL", MemoryDumpFormat.INITIAL));
        assertEquals(new MemoryDumpFormat(3, 'o', 4), parse("/3o", MemoryDumpFormat.INITIAL), "size from QEMU's start value 4");
    }

    @Test
    void missingPartsComeFromThePreviousDump() {
        MemoryDumpFormat previous = new MemoryDumpFormat(1, 'd', 2);
        assertEquals(new MemoryDumpFormat(1, 'd', 2), parse(" 0x1000", previous), "no /FMT at all");
        assertEquals(new MemoryDumpFormat(5, 'd', 2), parse("/5", previous));
        assertEquals(new MemoryDumpFormat(1, 'x', 2), parse("/x", previous));
        assertEquals(new MemoryDumpFormat(1, 'd', 8), parse("/g", previous));
        assertEquals(new MemoryDumpFormat(1, 'd', 2), new MemoryDumpFormat(7, 'd', 2).defaultsAfter(previous), "the count is not kept");
    }

    @Test
    void instructionFormatWithoutSizeHasNone() {
        assertEquals(-1, parse("/3i", MemoryDumpFormat.INITIAL).size());
        MemoryDumpFormat after = new MemoryDumpFormat(3, 'i', -1).defaultsAfter(new MemoryDumpFormat(1, 'x', 8));
        assertEquals(new MemoryDumpFormat(1, 'i', 8), after, "QEMU keeps the older size while the format is i");
    }

    @Test
    void whereTheFormatEnds() {
        assertEquals(6, MemoryDumpFormat.parse(" /10xb 0x1000", MemoryDumpFormat.INITIAL).end());
        assertEquals(1, MemoryDumpFormat.parse(" 0x1000", MemoryDumpFormat.INITIAL).end());
    }

    @Test
    void anUnknownLetterIsQemusError() {
        HmpException e = assertThrows(HmpException.class, () -> parse("/4z 0", MemoryDumpFormat.INITIAL));
        assertEquals("invalid char in format: 'z'", e.getMessage());
        assertEquals("invalid char in format: '0'", assertThrows(HmpException.class,
                () -> parse("/x0", MemoryDumpFormat.INITIAL)).getMessage());
    }
}
