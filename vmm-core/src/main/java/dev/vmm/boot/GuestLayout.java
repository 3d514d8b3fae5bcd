package dev.vmm.boot;

import dev.vmm.firmware.MemoryMap;
import java.util.List;

/**
 * Every fixed guest-physical address the loaders use, in one place.
 *
 * <pre>
 *   0x00000-0x00FFF  page 0: left untouched (real-mode IVT / null-pointer trap)
 *   0x01000-0x01FFF  Linux boot protocol: boot_params ("zero page")
 *   0x02000-0x020FF  Linux boot protocol: GDT for the 64-bit entry
 *   0x05000-0x05FFF  multiboot info (0x5000), mmap (0x5100), boot loader name (0x5F00)
 *   0x06000-0x06FFF  PVH hvm_start_info (0x6000), hvm_modlist with the initrd (0x6800)
 *   0x07000-0x07FFF  PVH memmap table
 *   0x08000-0x09FFF  never used: the test kernel's AP trampoline page(s)
 *   0x0A000-0x0FFFF  Linux boot protocol: identity page tables (PML4 0xA000, PDPT 0xB000,
 *                    4 page directories 0xC000-0xFFFF of 2 MiB pages: the first 4 GiB)
 *   0x20000-0x2FFFF  kernel command line (NUL terminated, at most 64 KiB)
 *   0xF0000-0xFFFFF  ACPI tables, RSDP first (16-byte aligned, found by the legacy scan
 *                    of 0xE0000-0xFFFFF); reported reserved in E820
 *   0x100000-        kernels (their own program headers decide)
 * </pre>
 *
 * All of it binds the Linux boot protocol (its 64-bit entry needs the GDT and page tables where
 * CR3 and GDTR point). PVH and multiboot kernels enter in 32-bit mode without either, so they
 * may load anywhere but {@link #FIXED_32BIT_ENTRY}: their info block and command line move out
 * of a low kernel's way ({@link BootAreas}), as QEMU loads such kernels where they ask.
 */
public final class GuestLayout {
    public static final long PAGE_ZERO = 0x0;
    public static final long MULTIBOOT_INFO = 0x5000;
    public static final long MULTIBOOT_MMAP = 0x5100;
    /** Room for the mmap: (0x5F00-0x5100)/24 = 149 entries. */
    public static final long MULTIBOOT_MMAP_LIMIT = 0x5F00;
    public static final long MULTIBOOT_LOADER_NAME = 0x5F00;
    public static final long PVH_START_INFO = 0x6000;
    public static final long PVH_MODLIST = 0x6800;
    public static final long PVH_MEMMAP = 0x7000;
    public static final long PVH_MEMMAP_LIMIT = 0x8000;
    public static final long AP_TRAMPOLINE = 0x8000;
    public static final long AP_TRAMPOLINE_END = 0xA000;
    public static final long LINUX_BOOT_PARAMS = 0x1000;
    public static final long BOOT_GDT = 0x2000;
    public static final long BOOT_GDT_END = 0x2100;
    public static final long PML4 = 0xA000;
    public static final long PDPT = 0xB000;
    public static final long PAGE_DIRECTORIES = 0xC000;
    public static final long PAGE_TABLES_END = 0x10000;
    public static final long CMDLINE = 0x20000;
    /** Maximum command line size including the terminating NUL. */
    public static final int CMDLINE_MAX = 0x10000;
    public static final long ACPI_BASE = MemoryMap.BIOS_AREA_START;
    public static final long ACPI_LIMIT = MemoryMap.HIGH_MEMORY_START;

    /** A guest range kernels must not load into, with a name for error messages. */
    public record Reserved(long start, long end, String name) {
        public boolean overlaps(long gpa, long length) {
            return length > 0 && gpa < end && gpa + length > start;
        }
    }

    /** Ranges owned by the loader or kept free on purpose; kernel segments may not touch them. */
    public static final List<Reserved> RESERVED = List.of(
            new Reserved(PAGE_ZERO, 0x1000, "page 0"),
            new Reserved(LINUX_BOOT_PARAMS, BOOT_GDT_END, "Linux boot_params and GDT"),
            new Reserved(PML4, PAGE_TABLES_END, "boot page tables"),
            new Reserved(MULTIBOOT_INFO, PVH_MEMMAP_LIMIT, "boot information"),
            new Reserved(AP_TRAMPOLINE, AP_TRAMPOLINE_END, "AP trampoline"),
            new Reserved(CMDLINE, CMDLINE + CMDLINE_MAX, "command line"),
            new Reserved(ACPI_BASE, ACPI_LIMIT, "ACPI tables"));

    /** What a PVH or multiboot kernel may still not load over: page 0 and the ACPI tables (found by address scan). */
    public static final List<Reserved> FIXED_32BIT_ENTRY = List.of(
            new Reserved(PAGE_ZERO, 0x1000, "page 0"),
            new Reserved(ACPI_BASE, ACPI_LIMIT, "ACPI tables"));

    /** Size of the multiboot block: info at +0, mmap at +0x100, boot loader name at +0xF00. */
    public static final long MULTIBOOT_BLOCK = 0x1000;
    /** Size of the PVH block: start info at +0, modlist at +0x800, memmap at +0x1000. */
    public static final long PVH_BLOCK = 0x2000;

    private GuestLayout() {
    }
}
