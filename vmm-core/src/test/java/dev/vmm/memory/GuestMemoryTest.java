package dev.vmm.memory;

import dev.vmm.platform.PlatformLayout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestMemoryTest {
    private static final long MIB = 1 << 20;
    private static final long GIB = 1L << 30;

    @Test
    void littleEndianAccessors() {
        try (GuestMemory m = GuestMemory.create(MIB)) {
            m.writeU32(0x100, 0x11223344L);
            assertEquals(0x44, m.readU8(0x100));
            assertEquals(0x33, m.readU8(0x101));
            assertEquals(0x3344, m.readU16(0x100));
            assertEquals(0x11223344L, m.readU32(0x100));
            m.writeU64(0x200, 0x8877665544332211L);
            assertArrayEquals(new byte[] {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88}, m.read(0x200, 8));
            assertEquals(0x8877665544332211L, m.readU64(0x200));
            m.writeU32(0x300, 0xffffffffL);
            assertEquals(0xffffffffL, m.readU32(0x300), "u32 is unsigned");
            m.writeU16(0x400, 0xfffe);
            assertEquals(0xfffe, m.readU16(0x400));
            m.write(0x500, new byte[] {1, 2, 3});
            assertEquals(0x030201, m.readU32(0x500) & 0xffffff);
        }
    }

    @Test
    void freshMemoryIsZero() {
        try (GuestMemory m = GuestMemory.create(64 * 1024)) {
            assertEquals(0, m.readU64(0));
            assertEquals(0, m.readU64(64 * 1024 - 8));
        }
    }

    @Test
    void accessesOutsideRamThrowNamingAddressAndSize() {
        try (GuestMemory m = GuestMemory.create(MIB)) {
            m.writeU8(MIB - 1, 1); // last byte is fine
            m.readU32(MIB - 4);
            GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> m.readU32(MIB - 2));
            assertTrue(e.getMessage().contains("0xffffe"), e.getMessage());
            assertTrue(e.getMessage().contains("4 byte"), e.getMessage());
            assertEquals(MIB - 2, e.address());
            assertEquals(4, e.length());
            assertThrows(GuestMemoryException.class, () -> m.writeU8(MIB, 0));
            assertThrows(GuestMemoryException.class, () -> m.readU8(-1));
            assertThrows(GuestMemoryException.class, () -> m.readU64(Long.MAX_VALUE - 3));
            assertThrows(GuestMemoryException.class, () -> m.write(MIB - 2, new byte[3]));
            assertThrows(IndexOutOfBoundsException.class, () -> m.read(0, new byte[2], 1, 2));
            assertFalse(m.isRam(MIB - 1, 2));
            assertTrue(m.isRam(0, MIB));
        }
    }

    @Test
    void sizeValidation() {
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.create(0));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.create(-4096));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.create(4097));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.ofRegions(0, MIB, MIB / 2, MIB));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.ofRegions(0x800, 4096));
    }

    @Test
    void smallRamIsOneRegionAtZero() {
        try (GuestMemory m = GuestMemory.create(2 * MIB)) {
            List<MemoryRegion> r = m.regions();
            assertEquals(1, r.size());
            assertEquals(0, r.get(0).gpa());
            assertEquals(2 * MIB, r.get(0).size());
            assertTrue(r.get(0).hostAddress() != 0);
        }
    }

    @Test
    void exactlyThreeGibStaysBelowTheHole() {
        List<long[]> l = GuestMemory.layout(3 * GIB);
        assertEquals(1, l.size());
        assertArrayEquals(new long[] {0, 3 * GIB}, l.get(0));
    }

    @Test
    void largeRamIsSplitAroundThePciHole() {
        // MAP_NORESERVE: 5 GiB of address space, nothing touched except two pages.
        try (GuestMemory m = GuestMemory.create(5 * GIB)) {
            List<MemoryRegion> r = m.regions();
            assertEquals(2, r.size());
            assertEquals(0, r.get(0).gpa());
            assertEquals(0xC000_0000L, r.get(0).size());
            assertEquals(0x1_0000_0000L, r.get(1).gpa());
            assertEquals(2 * GIB, r.get(1).size());
            assertEquals(5 * GIB, m.size());
            // The hole itself is not RAM.
            assertThrows(GuestMemoryException.class, () -> m.readU8(0xC000_0000L));
            assertThrows(GuestMemoryException.class, () -> m.readU8(0xFFFF_FFFFL));
            // An access straddling the end of low RAM is rejected.
            assertThrows(GuestMemoryException.class, () -> m.readU32(0xBFFF_FFFEL));
            m.writeU64(0x1_0000_0000L, 42);
            assertEquals(42, m.readU64(0x1_0000_0000L));
            m.writeU32(6 * GIB - 4, 7);
            assertEquals(7, m.readU32(6 * GIB - 4));
            assertThrows(GuestMemoryException.class, () -> m.readU8(6 * GIB));
            assertEquals(r.get(1).hostAddress() + 16, m.hostAddress(0x1_0000_0010L, 8));
        }
    }

    @Test
    void closedMemoryRejectsAccess() {
        GuestMemory m = GuestMemory.create(4096);
        m.close();
        m.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> m.readU8(0));
    }

    @Test
    void fileBackedRamIsTheFile() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "mem-path-test"));
        java.nio.file.Path file = dir.resolve("ram.img");
        java.nio.file.Files.deleteIfExists(file);
        long size = 3 * GIB + 2 * MIB; // both regions: [0, 3G) at file offset 0, [4G, 4G+2M) at 3G (sparse file)
        try (GuestMemory m = GuestMemory.createFileBacked(size, file)) {
            assertTrue(m.backingFd() >= 0);
            assertEquals(3 * GIB, m.fileOffset(PlatformLayout.HIGH_RAM_START));
            m.writeU64(0x1000, 0x1122334455667788L);
            m.writeU64(PlatformLayout.HIGH_RAM_START + 8, 0x0102030405060708L);
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
                assertEquals(size, f.length());
                f.seek(0x1000);
                assertEquals(0x1122334455667788L, Long.reverseBytes(f.readLong()), "MAP_SHARED: the write is in the file");
                f.seek(3 * GIB + 8);
                assertEquals(0x0102030405060708L, Long.reverseBytes(f.readLong()));
            }
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
        try (GuestMemory m = GuestMemory.createFileBacked(MIB, dir); var left = java.nio.file.Files.list(dir)) {
            m.writeU32(0, 1);
            assertEquals(0, left.count(), "a directory gets a file that is unlinked at once");
        }
        try (GuestMemory anon = GuestMemory.create(MIB)) {
            assertEquals(-1, anon.backingFd(), "anonymous RAM has no file");
        }
    }
}
