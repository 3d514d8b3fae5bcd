package dev.vmm.vm;

import dev.vmm.kvm.Sregs;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** The page walk over tables kept in a byte array: 4-level long mode, large pages, holes, paging off, 32-bit. */
class PageWalkTest {
    private final ByteBuffer ram = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final PageWalk.TableReader reader = (gpa, size) -> size == 8 ? ram.getLong((int) gpa) : ram.getInt((int) gpa) & 0xffff_ffffL;

    private static Sregs longMode(long cr3) {
        Sregs s = new Sregs();
        s.cr0 = 0x80000011L;
        s.cr4 = 0x20;
        s.efer = 0x500;
        s.cr3 = cr3;
        return s;
    }

    /** Maps the kernel half like the test kernel: 0xffffffff80000000 + 0x1000 -> 0x5000 by 4 KiB pages, and 0-2 MiB by one 2 MiB page. */
    private Sregs tables() {
        ram.putLong(0x1000 + 511 * 8, 0x2000 | 3);          // PML4[511]
        ram.putLong(0x2000 + 510 * 8, 0x3000 | 3);          // PDPT[510]
        ram.putLong(0x3000, 0x4000 | 3);                    // PD[0] -> PT
        ram.putLong(0x4000 + 8, 0x5000 | 3);                // PT[1] -> 0x5000
        ram.putLong(0x1000, 0x6000 | 3);                    // PML4[0]
        ram.putLong(0x6000, 0x7000 | 3);                    // PDPT[0]
        ram.putLong(0x7000, 0x83);                          // PD[0]: 2 MiB page at 0
        ram.putLong(0x7008, 0x8000_0000_0020_0000L | 0x83); // PD[1]: NX bit set, still maps 2-4 MiB
        return longMode(0x1000);
    }

    @Test
    void fourLevelWalkWithSmallAndLargePages() {
        Sregs s = tables();
        assertEquals(0x5123, PageWalk.translate(reader, s, 0xffffffff80001123L));
        assertEquals(0x12345, PageWalk.translate(reader, s, 0x12345));
        assertEquals(0x200010, PageWalk.translate(reader, s, 0x200010), "the NX bit is not part of the address");
    }

    @Test
    void holesAndNonCanonicalAddressesAreUnmapped() {
        Sregs s = tables();
        assertEquals(-1, PageWalk.translate(reader, s, 0xffffffff80002000L), "PT[2] not present");
        assertEquals(-1, PageWalk.translate(reader, s, 0x40000000L), "PDPT[1] not present");
        assertEquals(-1, PageWalk.translate(reader, s, 0x0000_8000_0000_1123L), "non-canonical");
        assertEquals(-1, PageWalk.translate(reader, longMode(0xff000), 0x1000), "tables outside RAM: reader throws");
    }

    @Test
    void pagingOffIsIdentityWithin4GiB() {
        Sregs s = new Sregs();
        s.cr0 = 0x11;
        assertEquals(0xb8000, PageWalk.translate(reader, s, 0xb8000));
        assertEquals(0x1000, PageWalk.translate(reader, s, 0x1_0000_1000L));
    }

    @Test
    void thirtyTwoBitPagingWithFourMiBPages() {
        Sregs s = new Sregs();
        s.cr0 = 0x80000011L;
        s.cr3 = 0x1000;
        s.cr4 = 0x10; // PSE
        ram.putInt(0x1000 + 0x300 * 4, 0x00400000 | 0x83);  // 0xc0000000 -> 4 MiB page at 4 MiB
        ram.putInt(0x1000, 0x2000 | 3);
        ram.putInt(0x2000 + 4, 0x9000 | 3);
        assertEquals(0x400abc, PageWalk.translate(reader, s, 0xc0000abcL));
        assertEquals(0x9abc, PageWalk.translate(reader, s, 0x1abc));
        assertEquals(-1, PageWalk.translate(reader, s, 0x2abc));
    }
}
