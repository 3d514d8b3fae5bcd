package dev.vmm.platform;

import java.util.List;

/**
 * Every fixed guest-physical address, I/O port and interrupt number of vmm's PC, in one place
 * (as Firecracker's {@code arch/x86_64/layout.rs}): the loaders, the firmware tables, guest
 * memory, the VM and the devices all take their numbers from here.
 *
 * <p>Guest-physical memory:
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
 *   0x9FC00-0x9FFFF  EBDA (reported reserved)
 *   0xF0000-0xFFFFF  BIOS area: ACPI tables, RSDP first (16-byte aligned, found by the legacy
 *                    scan of 0xE0000-0xFFFFF); reported reserved in E820
 *   0x100000-        kernels (their own program headers decide), RAM up to 3 GiB
 *   0xC0000000-      the 32-bit PCI hole, as QEMU's pc machine: no RAM up to 4 GiB;
 *                    IOAPIC at 0xFEC00000, local APICs at 0xFEE00000, KVM's TSS and identity
 *                    map pages at 0xFFFBC000-0xFFFBFFFF
 *   0x100000000-     the rest of the RAM
 * </pre>
 *
 * <p>The low-memory reservations bind the Linux boot protocol (its 64-bit entry needs the GDT and
 * page tables where CR3 and GDTR point). PVH and multiboot kernels enter in 32-bit mode without
 * either, so they may load anywhere but {@link #FIXED_32BIT_ENTRY}: their info block and command
 * line move out of a low kernel's way ({@code dev.vmm.boot.BootAreas}), as QEMU loads such kernels
 * where they ask.
 */
public final class PlatformLayout {
    private PlatformLayout() {
    }

    // ---- low memory: what the loaders write ----
    public static final long PAGE_ZERO = 0x0;
    public static final long LINUX_BOOT_PARAMS = 0x1000;
    public static final long BOOT_GDT = 0x2000;
    public static final long BOOT_GDT_END = 0x2100;
    public static final long MULTIBOOT_INFO = 0x5000;
    public static final long MULTIBOOT_MMAP = 0x5100;
    /** Room for the mmap: (0x5F00-0x5100)/24 = 149 entries. */
    public static final long MULTIBOOT_MMAP_LIMIT = 0x5F00;
    public static final long MULTIBOOT_LOADER_NAME = 0x5F00;
    public static final long PVH_START_INFO = 0x6000;
    public static final long PVH_MODLIST = 0x6800;
    public static final long PVH_MEMMAP = 0x7000;
    public static final long PVH_MEMMAP_LIMIT = 0x8000;
    /** Size of the multiboot block: info at +0, mmap at +0x100, boot loader name at +0xF00. */
    public static final long MULTIBOOT_BLOCK = PVH_START_INFO - MULTIBOOT_INFO;
    /** Size of the PVH block: start info at +0, modlist at +0x800, memmap at +0x1000. */
    public static final long PVH_BLOCK = PVH_MEMMAP_LIMIT - PVH_START_INFO;
    public static final long AP_TRAMPOLINE = 0x8000;
    public static final long AP_TRAMPOLINE_END = 0xA000;
    public static final long PML4 = 0xA000;
    public static final long PDPT = 0xB000;
    public static final long PAGE_DIRECTORIES = 0xC000;
    public static final long PAGE_TABLES_END = 0x10000;
    public static final long CMDLINE = 0x20000;
    /** Maximum command line size including the terminating NUL. */
    public static final int CMDLINE_MAX = 0x10000;

    // ---- the PC memory map (E820) ----
    /** End of conventional memory reported as RAM (640 KiB minus a 1 KiB EBDA). */
    public static final long LOW_RAM_END = 0x9FC00L;
    /** End of the EBDA / start of the VGA hole. */
    public static final long EBDA_END = 0xA0000L;
    /** The BIOS area, where the ACPI tables go. */
    public static final long BIOS_AREA_START = 0xF0000L;
    public static final long HIGH_MEMORY_START = 0x100000L;
    public static final long ACPI_BASE = BIOS_AREA_START;
    public static final long ACPI_LIMIT = HIGH_MEMORY_START;
    /** Start of the 32-bit PCI hole (as QEMU's pc machine): RAM below 4 GiB stops here... */
    public static final long PCI_HOLE_START = 0xC000_0000L;
    /** ...and the rest continues at 4 GiB. */
    public static final long HIGH_RAM_START = 0x1_0000_0000L;

    // ---- MMIO in the PCI hole ----
    public static final long IOAPIC_ADDRESS = 0xFEC00000L;
    public static final long IOAPIC_SIZE = 0x1000;
    /** QEMU's IOAPIC has 24 pins; KVM reserves that many GSIs for a user-space one (split irqchip). */
    public static final int IOAPIC_PINS = 24;
    public static final long LOCAL_APIC_ADDRESS = 0xFEE00000L;
    /** KVM on Intel needs three pages for the TSS and one for the identity map, below 4 GiB, outside RAM. */
    public static final long KVM_TSS_ADDRESS = 0xfffbd000L;
    public static final long KVM_IDENTITY_MAP_ADDRESS = 0xfffbc000L;

    // ---- I/O ports (base, count) ----
    /** The i8042 keyboard controller: data and command/status ports (reset line: command 0xFE). */
    public static final int I8042_DATA_PORT = 0x60;
    public static final int I8042_COMMAND_PORT = 0x64;
    /** The POST diagnostic port firmware and kernels write progress codes to (and use as an I/O delay). */
    public static final int POST_CODE_PORT = 0x80;
    /** QEMU's isa-debug-exit (iobase 0xf4, iosize 4). */
    public static final int DEBUG_EXIT_PORT = 0xf4;
    public static final int DEBUG_EXIT_SIZE = 4;
    /** COM1, a 16550 UART. */
    public static final int COM1_PORT = 0x3f8;
    public static final int COM1_SIZE = 8;
    /** QEMU's fw_cfg, legacy port-I/O form: selector and data. */
    public static final int FW_CFG_SELECTOR_PORT = 0x510;
    public static final int FW_CFG_DATA_PORT = 0x511;
    /** vmm's page-eviction test port (optional). */
    public static final int PAGE_EVICT_PORT = 0x530;
    public static final int PAGE_EVICT_SIZE = 4;
    /** vmm's host-contention test device (optional; free on a PC and in QEMU's pc/microvm). */
    public static final int HOST_CONTENTION_PORT = 0x5e0;
    public static final int HOST_CONTENTION_SIZE = 8;
    /** vmm's KVM-stats window test device (optional), right after host contention. */
    public static final int KVM_STATS_WINDOW_PORT = 0x5e8;
    public static final int KVM_STATS_WINDOW_SIZE = 8;
    /** The HW-reduced ACPI sleep control and status registers (free on a PC; QEMU's microvm uses MMIO). */
    public static final int ACPI_SLEEP_CONTROL_PORT = 0x600;
    public static final int ACPI_SLEEP_STATUS_PORT = 0x601;

    // ---- interrupts ----
    /** COM1's ISA IRQ (= IOAPIC pin). */
    public static final int COM1_IRQ = 4;
    /** The PIT's ISA IRQ 0 is wired to IOAPIC pin 2 on every PC (the MADT's interrupt source override). */
    public static final int PIT_ISA_IRQ = 0;
    public static final int PIT_GSI = 2;

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

    /** A device's port range. */
    public record PortRange(String device, int base, int size) {
        public boolean overlaps(PortRange o) {
            return base < o.base + o.size && o.base < base + size;
        }
    }

    public static final PortRange I8042_DATA = new PortRange("i8042 data", I8042_DATA_PORT, 1);
    public static final PortRange I8042_COMMAND = new PortRange("i8042 command", I8042_COMMAND_PORT, 1);
    public static final PortRange POST_CODE = new PortRange("POST code", POST_CODE_PORT, 1);
    public static final PortRange DEBUG_EXIT = new PortRange("isa-debug-exit", DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE);
    public static final PortRange COM1 = new PortRange("COM1", COM1_PORT, COM1_SIZE);
    public static final PortRange FW_CFG = new PortRange("fw_cfg", FW_CFG_SELECTOR_PORT, 2);
    public static final PortRange PAGE_EVICT = new PortRange("page-eviction port", PAGE_EVICT_PORT, PAGE_EVICT_SIZE);
    public static final PortRange HOST_CONTENTION =
            new PortRange("host contention", HOST_CONTENTION_PORT, HOST_CONTENTION_SIZE);
    public static final PortRange KVM_STATS_WINDOW =
            new PortRange("KVM stats window", KVM_STATS_WINDOW_PORT, KVM_STATS_WINDOW_SIZE);
    public static final PortRange ACPI_SLEEP = new PortRange("ACPI sleep control", ACPI_SLEEP_CONTROL_PORT, 2);

    /** Every port range of the board (optional devices included), for checks. */
    public static final List<PortRange> PORT_RANGES = List.of(
            I8042_DATA, I8042_COMMAND, POST_CODE, DEBUG_EXIT, COM1, FW_CFG, PAGE_EVICT, HOST_CONTENTION, KVM_STATS_WINDOW,
            ACPI_SLEEP);
}
