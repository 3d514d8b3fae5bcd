package dev.vmm.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MemorySizeTest {
    @Test
    void parsesQemuSpelling() {
        assertEquals(MemorySize.ofMiB(64), MemorySize.parse("64M"));
        assertEquals(MemorySize.ofMiB(64), MemorySize.parse("64"), "a bare number is MiB, as -m");
        assertEquals(MemorySize.ofGiB(2), MemorySize.parse("2g"));
        assertEquals(MemorySize.ofBytes(4096), MemorySize.parse("4K"));
        assertEquals("2G", MemorySize.ofMiB(2048).toString());
        assertEquals("3K", MemorySize.ofBytes(3072).toString());
    }

    @Test
    void rejectsNonsense() {
        for (String bad : new String[] {"", "M", "-1M", "0", "12Q", "99999999999T"}) {
            assertThrows(IllegalArgumentException.class, () -> MemorySize.parse(bad), bad);
        }
    }
}
