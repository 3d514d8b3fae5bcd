package dev.vmm.boot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Everything a loader decided: what bytes go where, which ranges to zero, and how vCPU 0
 * starts. The integrator applies writes in order, then the zero fills, then sets registers.
 * No two regions (writes or fills) may overlap: an overlap means two loader structures (or a
 * kernel segment and a boot structure) collide, which would silently corrupt one of them.
 */
public record BootPlan(List<MemoryWrite> writes, List<ZeroFill> zeroFills, EntryState entry,
                       List<FileWrite> fileWrites) {
    public BootPlan {
        writes = List.copyOf(writes);
        zeroFills = List.copyOf(zeroFills);
        fileWrites = List.copyOf(fileWrites);
        if (entry == null) {
            throw new IllegalArgumentException("entry state is required");
        }
        checkNoOverlap(writes, zeroFills, fileWrites);
    }

    /** A plan whose contents are all in memory (no file is read when it is carried out). */
    public BootPlan(List<MemoryWrite> writes, List<ZeroFill> zeroFills, EntryState entry) {
        this(writes, zeroFills, entry, List.of());
    }

    /**
     * This plan with more bytes written, e.g. the firmware tables the machine builds after the
     * loader planned the kernel; the overlap check covers them too. Everything else is kept, the
     * file writes (the initrd) included.
     */
    public BootPlan withWrite(MemoryWrite write) {
        List<MemoryWrite> all = new ArrayList<>(writes);
        all.add(write);
        return new BootPlan(all, zeroFills, entry, fileWrites);
    }

    private record Region(long start, long end, String what) {
    }

    private static void checkNoOverlap(List<MemoryWrite> writes, List<ZeroFill> fills, List<FileWrite> files) {
        List<Region> regions = new ArrayList<>();
        for (MemoryWrite w : writes) {
            if (w.length() > 0) {
                regions.add(new Region(w.gpa(), w.end(), "write"));
            }
        }
        for (ZeroFill z : fills) {
            if (z.length() > 0) {
                regions.add(new Region(z.gpa(), z.end(), "zero fill"));
            }
        }
        for (FileWrite f : files) {
            if (f.length() > 0) {
                regions.add(new Region(f.gpa(), f.end(), "file " + f.file().getFileName()));
            }
        }
        regions.sort(Comparator.comparingLong(Region::start));
        for (int i = 1; i < regions.size(); i++) {
            Region a = regions.get(i - 1);
            Region b = regions.get(i);
            if (b.start() < a.end()) {
                throw new BootException(String.format(
                        "boot plan overlap: %s 0x%x-0x%x and %s 0x%x-0x%x",
                        a.what(), a.start(), a.end() - 1, b.what(), b.start(), b.end() - 1));
            }
        }
    }
}
