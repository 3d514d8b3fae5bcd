package dev.vmm.cli.monitor;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** QEMU's memory_dump text for each format and unit size, over bytes in an array. */
class MemoryDumpTest {
    private static final byte[] MEMORY = new byte[64];

    static {
        for (int i = 0; i < MEMORY.length; i++) MEMORY[i] = (byte) (0xf0 + i);
        MEMORY[0] = 'A';
        MEMORY[1] = '\n';
        MEMORY[2] = '\'';
        MEMORY[3] = 0;
    }

    private static String dump(long address, String fmt) {
        MemoryDumpFormat f = MemoryDumpFormat.parse(fmt, MemoryDumpFormat.INITIAL).format();
        return MemoryDump.format(address, f, (a, len) -> a + len <= 0x1000 + MEMORY.length && a >= 0x1000
                ? Arrays.copyOfRange(MEMORY, (int) (a - 0x1000), (int) (a - 0x1000 + len)) : null);
    }

    @Test
    void hexWordsSixteenBytesALine() {
        assertEquals("""
                0000000000001000: 0x00270a41 0xf7f6f5f4 0xfbfaf9f8 0xfffefdfc
                0000000000001010: 0x03020100
                """, dump(0x1000, "/5xw"));
    }

    @Test
    void bytesGoEightALine() {
        assertEquals("""
                0000000000001000: 0x41 0x0a 0x27 0x00 0xf4 0xf5 0xf6 0xf7
                0000000000001008: 0xf8 0xf9
                """, dump(0x1000, "/10xb"));
    }

    @Test
    void giantsInHexSignedAndUnsigned() {
        assertEquals("0000000000001008: 0xfffefdfcfbfaf9f8\n", dump(0x1008, "/1xg"));
        assertEquals("0000000000001008:     -283686952306184\n", dump(0x1008, "/1dg"));
        assertEquals("0000000000001008: 18446460386757245432\n", dump(0x1008, "/1ug"));
    }

    @Test
    void decimalIsUnsignedBelowEightBytesAndRightAligned() {
        assertEquals("0000000000001004: 244 245\n", dump(0x1004, "/2db"));
        assertEquals("0000000000001004: 4160157172\n", dump(0x1004, "/1dw"));
    }

    @Test
    void octalHasALeadingZero() {
        assertEquals("0000000000001003:   0 0364\n", dump(0x1003, "/2ob"));
        assertEquals("0000000000001000:  05101\n", dump(0x1000, "/1oh"));
    }

    @Test
    void charactersAreQuotedWithCEscapes() {
        assertEquals("0000000000001000: 'A' '\\n' '\\'' '\\x00' '\\xf4'\n", dump(0x1000, "/5cb"));
    }

    @Test
    void anUnreadableLineEndsTheDump() {
        assertEquals("""
                0000000000001038: 0x28 0x29 0x2a 0x2b 0x2c 0x2d 0x2e 0x2f
                0000000000001040: Cannot access memory
                """, dump(0x1038, "/16xb"));
    }
}
