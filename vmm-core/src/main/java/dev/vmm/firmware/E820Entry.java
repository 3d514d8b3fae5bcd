package dev.vmm.firmware;

/**
 * One entry of the E820 physical memory map, the form every boot protocol we support
 * (PVH memmap, multiboot mmap) hands to the guest.
 *
 * @param address first guest-physical byte
 * @param size    length in bytes (non-zero)
 * @param type    {@link #RAM}, {@link #RESERVED} or {@link #ACPI}
 */
public record E820Entry(long address, long size, int type) {
    public static final int RAM = 1;
    public static final int RESERVED = 2;
    /** ACPI reclaimable: usable after the OS has read its tables. */
    public static final int ACPI = 3;

    public E820Entry {
        if (size <= 0) {
            throw new IllegalArgumentException("E820 entry size must be positive: " + size);
        }
        if (address < 0) {
            throw new IllegalArgumentException("E820 entry address must not be negative");
        }
    }

    /** Exclusive end address. */
    public long end() {
        return address + size;
    }

    /** True when [gpa, gpa+length) lies wholly inside this entry. */
    public boolean contains(long gpa, long length) {
        return gpa >= address && length >= 0 && gpa + length <= end();
    }
}
