package dev.vmm.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryMapTest {
    private static final E820Entry LOW = new E820Entry(0, 0x9FC00, E820Entry.RAM);
    private static final E820Entry EBDA = new E820Entry(0x9FC00, 0x400, E820Entry.RESERVED);
    private static final E820Entry BIOS = new E820Entry(0xF0000, 0x10000, E820Entry.RESERVED);

    @Test
    void smallGuest() {
        assertEquals(List.of(LOW, EBDA, BIOS, new E820Entry(0x100000, (64L << 20) - 0x100000, E820Entry.RAM)),
                MemoryMap.forRamSize(64L << 20));
    }

    @Test
    void exactly3GiB() {
        assertEquals(List.of(LOW, EBDA, BIOS, new E820Entry(0x100000, 0xC0000000L - 0x100000, E820Entry.RAM)),
                MemoryMap.forRamSize(3L << 30));
    }

    @Test
    void above3GiBSplitsAt4GiB() {
        assertEquals(List.of(LOW, EBDA, BIOS, new E820Entry(0x100000, 0xC0000000L - 0x100000, E820Entry.RAM),
                        new E820Entry(0x100000000L, 5L << 30, E820Entry.RAM)),
                MemoryMap.forRamSize(8L << 30));
    }

    @Test
    void oneMiBHasNoHighRam() {
        assertEquals(List.of(LOW, EBDA, BIOS), MemoryMap.forRamSize(1L << 20));
        assertThrows(IllegalArgumentException.class, () -> MemoryMap.forRamSize(512 * 1024));
    }

    @Test
    void backing() {
        long ram = 4L << 30;
        assertTrue(MemoryMap.isBacked(ram, 0x100000, 0x1000));
        assertTrue(MemoryMap.isBacked(ram, 0x100000000L, 1L << 30));
        assertFalse(MemoryMap.isBacked(ram, 0xBFFFF000L, 0x2000));
        assertFalse(MemoryMap.isBacked(ram, 0x100000000L, (1L << 30) + 1));
        assertFalse(MemoryMap.isBacked(64L << 20, 0x100000000L, 1));
    }
}
