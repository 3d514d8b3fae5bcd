package dev.vmm.firmware;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest-physical memory map for a RAM size, laid out like QEMU's PC: RAM is split at
 * 3 GiB so the 3-4 GiB window stays free for MMIO (IOAPIC, local APIC, devices), and the
 * remainder is mapped from 4 GiB upwards.
 *
 * <p>Our guest memory is one anonymous region, so 0x9FC00-0xFFFFF is backed by real pages;
 * it is nevertheless reported reserved where a PC has its EBDA and BIOS, because the ACPI
 * tables live in the BIOS area and legacy OSes expect those holes.
 */
public final class MemoryMap {
    /** End of conventional memory reported as RAM (640 KiB minus a 1 KiB EBDA). */
    public static final long LOW_RAM_END = 0x9FC00L;
    /** End of the EBDA / start of the VGA hole. */
    public static final long EBDA_END = 0xA0000L;
    /** The BIOS area; {@link dev.vmm.boot.GuestLayout} places the ACPI tables here. */
    public static final long BIOS_AREA_START = 0xF0000L;
    public static final long HIGH_MEMORY_START = 0x100000L;
    /** Where RAM below 4 GiB stops (QEMU's pc split for large guests). */
    public static final long LOW_MEMORY_LIMIT = 0xC0000000L;
    public static final long FOUR_GIB = 0x1_0000_0000L;

    private MemoryMap() {
    }

    /**
     * E820 entries for {@code ramSize} bytes of guest RAM, sorted by address.
     *
     * @throws IllegalArgumentException when the RAM size is smaller than 1 MiB
     */
    public static List<E820Entry> forRamSize(long ramSize) {
        if (ramSize < HIGH_MEMORY_START) {
            throw new IllegalArgumentException("guest RAM must be at least 1 MiB, got " + ramSize + " bytes");
        }
        List<E820Entry> map = new ArrayList<>();
        map.add(new E820Entry(0, LOW_RAM_END, E820Entry.RAM));
        map.add(new E820Entry(LOW_RAM_END, EBDA_END - LOW_RAM_END, E820Entry.RESERVED));
        map.add(new E820Entry(BIOS_AREA_START, HIGH_MEMORY_START - BIOS_AREA_START, E820Entry.RESERVED));
        long lowEnd = lowRamEnd(ramSize);
        if (lowEnd > HIGH_MEMORY_START) {
            map.add(new E820Entry(HIGH_MEMORY_START, lowEnd - HIGH_MEMORY_START, E820Entry.RAM));
        }
        long highSize = highRamSize(ramSize);
        if (highSize > 0) {
            map.add(new E820Entry(FOUR_GIB, highSize, E820Entry.RAM));
        }
        return List.copyOf(map);
    }

    /** Exclusive end of the RAM mapped below 4 GiB. */
    public static long lowRamEnd(long ramSize) {
        return Math.min(ramSize, LOW_MEMORY_LIMIT);
    }

    /** Bytes of RAM mapped at and above 4 GiB. */
    public static long highRamSize(long ramSize) {
        return Math.max(0, ramSize - LOW_MEMORY_LIMIT);
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
        return gpa >= FOUR_GIB && end <= FOUR_GIB + highRamSize(ramSize);
    }
}
