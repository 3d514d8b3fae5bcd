package dev.vmm.boot;

import dev.vmm.firmware.MemoryMap;
import dev.vmm.platform.PlatformLayout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Places the loader's own boot structures (multiboot info block, PVH start info, command line)
 * around a kernel that is already placed. Each goes to its usual address in {@link PlatformLayout}
 * when the kernel leaves it free; otherwise to the first free page of conventional memory
 * (0x1000-0x9FBFF), else the first free page after the kernel. Test kernels linked low (a
 * multiboot binary at 0x8000, as QEMU loads it) thus boot, and only what cannot move (page 0,
 * the ACPI area) still refuses them ({@link PlatformLayout#FIXED_32BIT_ENTRY}).
 */
final class BootAreas {
    private static final long PAGE = 0x1000;

    private record Range(long start, long end) {
        boolean overlaps(long s, long len) {
            return s < end && s + len > start;
        }
    }

    private final List<Range> taken = new ArrayList<>();
    private final long ramSize;

    BootAreas(LoadedImage kernel, long ramSize) {
        this.ramSize = ramSize;
        for (MemoryWrite w : kernel.writes()) taken.add(new Range(w.gpa(), w.end()));
        for (ZeroFill z : kernel.zeroFills()) taken.add(new Range(z.gpa(), z.end()));
        for (PlatformLayout.Reserved r : PlatformLayout.FIXED_32BIT_ENTRY) taken.add(new Range(r.start(), r.end()));
    }

    /** An address for {@code size} bytes: {@code preferred} if free, else the first free page as described above. */
    long place(long preferred, long size, String what) {
        List<Long> candidates = new ArrayList<>();
        candidates.add(preferred);
        candidates.add(PAGE);
        candidates.add(PlatformLayout.HIGH_MEMORY_START);
        for (Range r : taken) candidates.add((r.end() + PAGE - 1) & ~(PAGE - 1));
        List<Long> fallbacks = new ArrayList<>(candidates.subList(1, candidates.size()));
        fallbacks.sort(Comparator.naturalOrder());
        candidates.subList(1, candidates.size()).clear();
        candidates.addAll(fallbacks);
        for (long at : candidates) {
            if (fits(at, size)) {
                taken.add(new Range(at, at + size));
                return at;
            }
        }
        throw new BootException(String.format("no room for the %s (%d bytes) below %s next to the kernel's segments",
                what, size, LoadedImage.describeSize(MemoryMap.lowRamEnd(ramSize))));
    }

    private boolean fits(long at, long size) {
        boolean conventional = at + size <= PlatformLayout.LOW_RAM_END;
        boolean high = at >= PlatformLayout.HIGH_MEMORY_START && at + size <= MemoryMap.lowRamEnd(ramSize);
        if (!conventional && !high) return false;
        for (Range r : taken) {
            if (r.overlaps(at, size)) return false;
        }
        return true;
    }
}
