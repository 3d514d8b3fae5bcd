package dev.vmm.firmware;

import dev.vmm.platform.PlatformLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest-physical memory map for a RAM size, laid out like QEMU's PC ({@link PlatformLayout}): RAM is split at
 * 3 GiB so the 3-4 GiB window stays free for MMIO (IOAPIC, local APIC, devices), and the
 * remainder is mapped from 4 GiB upwards.
 *
 * <p>Our guest memory is one anonymous region, so 0x9FC00-0xFFFFF is backed by real pages;
 * it is nevertheless reported reserved where a PC has its EBDA and BIOS, because the ACPI
 * tables live in the BIOS area and legacy OSes expect those holes.
 */
public final class MemoryMap {
    private MemoryMap() {
    }

    /**
     * E820 entries for {@code ramSize} bytes of guest RAM, sorted by address.
     *
     * @throws IllegalArgumentException when the RAM size is smaller than 1 MiB
     */
    public static List<E820Entry> forRamSize(long ramSize) {
        if (ramSize < PlatformLayout.HIGH_MEMORY_START) {
            throw new IllegalArgumentException("guest RAM must be at least 1 MiB, got " + ramSize + " bytes");
        }
        List<E820Entry> map = new ArrayList<>();
        map.add(new E820Entry(0, PlatformLayout.LOW_RAM_END, E820Entry.RAM));
        map.add(new E820Entry(PlatformLayout.LOW_RAM_END, PlatformLayout.EBDA_END - PlatformLayout.LOW_RAM_END, E820Entry.RESERVED));
        map.add(new E820Entry(PlatformLayout.BIOS_AREA_START, PlatformLayout.HIGH_MEMORY_START - PlatformLayout.BIOS_AREA_START, E820Entry.RESERVED));
        long lowEnd = lowRamEnd(ramSize);
        if (lowEnd > PlatformLayout.HIGH_MEMORY_START) {
            map.add(new E820Entry(PlatformLayout.HIGH_MEMORY_START, lowEnd - PlatformLayout.HIGH_MEMORY_START, E820Entry.RAM));
        }
        long highSize = highRamSize(ramSize);
        if (highSize > 0) {
            map.add(new E820Entry(PlatformLayout.HIGH_RAM_START, highSize, E820Entry.RAM));
        }
        return List.copyOf(map);
    }

    /** Exclusive end of the RAM mapped below 4 GiB. */
    public static long lowRamEnd(long ramSize) {
        return Math.min(ramSize, PlatformLayout.PCI_HOLE_START);
    }

    /** Bytes of RAM mapped at and above 4 GiB. */
    public static long highRamSize(long ramSize) {
        return Math.max(0, ramSize - PlatformLayout.PCI_HOLE_START);
    }

    /**
     * True when [gpa, gpa+length) is backed by guest memory (the low region
     * [0, lowRamEnd) or the high region at 4 GiB), regardless of how E820 reports it.
     */
    public static boolean isBacked(long ramSize, long gpa, long length) {
        if (gpa < 0 || length < 0 || gpa + length < gpa) {
            return false;
        }
        long end = gpa + length;
        if (end <= lowRamEnd(ramSize)) {
            return true;
        }
        return gpa >= PlatformLayout.HIGH_RAM_START && end <= PlatformLayout.HIGH_RAM_START + highRamSize(ramSize);
    }
}
