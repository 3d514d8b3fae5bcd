package dev.vmm.vm;

import dev.vmm.kvm.Sregs;
import dev.vmm.memory.GuestMemory;

/**
 * Translates a guest linear address to a guest physical address by walking the guest's own page
 * tables, for reports (code bytes at RIP). Handles paging off, 32-bit, PAE and 4-level long mode;
 * returns -1 when the address is not mapped or the tables point outside RAM. The tables are read
 * through a {@link TableReader}, so the walk can be tried on tables kept in a plain byte array.
 */
public final class PageWalk {
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1L << 5;
    private static final long EFER_LMA = 1L << 10;
    private static final long ADDRESS_MASK = 0x000f_ffff_ffff_f000L;

    private PageWalk() {
    }

    /** Reads a little-endian 4- or 8-byte page-table entry at a guest physical address; throws outside RAM. */
    @FunctionalInterface
    public interface TableReader {
        long read(long gpa, int size);
    }

    public static long translate(GuestMemory memory, Sregs s, long linear) {
        return translate((gpa, size) -> size == 8 ? memory.readU64(gpa) : memory.readU32(gpa), s, linear);
    }

    public static long translate(TableReader memory, Sregs s, long linear) {
        try {
            if ((s.cr0 & CR0_PG) == 0) {
                return linear & 0xffff_ffffL;
            }
            if ((s.efer & EFER_LMA) != 0) {
                long top = linear >> 47; // 4-level paging: bits 63..47 must all equal bit 47 (canonical)
                if (top != 0 && top != -1) return -1;
                return walk(memory, s.cr3 & ADDRESS_MASK, linear, 4);
            }
            if ((s.cr4 & CR4_PAE) != 0) {
                long pdpte = memory.read((s.cr3 & 0xffff_ffe0L) + ((linear >>> 30) & 3) * 8, 8);
                if ((pdpte & 1) == 0) return -1;
                return walk(memory, pdpte & ADDRESS_MASK, linear, 2);
            }
            long pde = memory.read((s.cr3 & 0xffff_f000L) + ((linear >>> 22) & 0x3ff) * 4, 4) & 0xffff_ffffL;
            if ((pde & 1) == 0) return -1;
            if ((pde & 0x80) != 0 && (s.cr4 & 0x10) != 0) {
                return (pde & 0xffc0_0000L) | (linear & 0x3f_ffffL);
            }
            long pte = memory.read((pde & 0xffff_f000L) + ((linear >>> 12) & 0x3ff) * 4, 4) & 0xffff_ffffL;
            return (pte & 1) == 0 ? -1 : (pte & 0xffff_f000L) | (linear & 0xfff);
        } catch (RuntimeException outsideRam) {
            return -1;
        }
    }

    /** Walks {@code levels} levels of 64-bit entries (4 for long mode, 2 below a PAE PDPTE). */
    private static long walk(TableReader memory, long table, long linear, int levels) {
        for (int level = levels; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            long entry = memory.read(table + ((linear >>> shift) & 0x1ff) * 8, 8);
            if ((entry & 1) == 0) {
                return -1;
            }
            boolean large = level > 1 && (entry & 0x80) != 0;
            if (large || level == 1) {
                long pageMask = (1L << shift) - 1;
                return (entry & ADDRESS_MASK & ~pageMask) | (linear & pageMask);
            }
            table = entry & ADDRESS_MASK;
        }
        return -1;
    }
}
