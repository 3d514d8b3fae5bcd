package dev.vmm.boot;

import dev.vmm.firmware.E820Entry;
import dev.vmm.firmware.MemoryMap;
import dev.vmm.platform.PlatformLayout;
import java.util.List;

/**
 * What the user asked for that affects how the kernel is loaded.
 *
 * @param kernelFileName kernel path as the user typed it (multiboot puts it in the cmdline)
 * @param cmdline        kernel command line, possibly empty
 * @param ramSize        guest RAM in bytes
 * @param cpuCount       number of vCPUs (for the MADT)
 * @param memoryMap      E820 map handed to the guest
 * @param initrd         initial RAM disk (Linux and PVH kernels), or null for none
 * @param apicIds        each vCPU's APIC ID (null: 0..cpuCount-1)
 * @param rsdpAddress    where the machine puts the ACPI tables' RSDP: loaders hand it to the kernel
 *                       (boot_params, hvm_start_info) but do not build the tables
 */
public record BootOptions(String kernelFileName, String cmdline, long ramSize, int cpuCount,
                          List<E820Entry> memoryMap, InitrdImage initrd, List<Integer> apicIds, long rsdpAddress) {
    public BootOptions(String kernelFileName, String cmdline, long ramSize, int cpuCount,
                       List<E820Entry> memoryMap) {
        this(kernelFileName, cmdline, ramSize, cpuCount, memoryMap, null, null, PlatformLayout.ACPI_BASE);
    }

    public BootOptions(String kernelFileName, String cmdline, long ramSize, int cpuCount,
                       List<E820Entry> memoryMap, byte[] initrd) {
        this(kernelFileName, cmdline, ramSize, cpuCount, memoryMap,
                initrd == null ? null : new InitrdImage.InMemory(initrd), null, PlatformLayout.ACPI_BASE);
    }

    public BootOptions {
        if (kernelFileName == null) {
            throw new IllegalArgumentException("kernel file name is required");
        }
        cmdline = cmdline == null ? "" : cmdline;
        if (cpuCount < 1) {
            throw new IllegalArgumentException("cpuCount must be >= 1");
        }
        memoryMap = List.copyOf(memoryMap);
        if (apicIds == null) {
            apicIds = dev.vmm.firmware.Acpi.denseIds(cpuCount);
        } else if (apicIds.size() != cpuCount) {
            throw new IllegalArgumentException(apicIds.size() + " APIC IDs for " + cpuCount + " vCPUs");
        }
        apicIds = List.copyOf(apicIds);
    }

    /** The same options with an initial RAM disk. */
    public BootOptions withInitrd(byte[] data) {
        return withInitrd(new InitrdImage.InMemory(data));
    }

    /** The same options with an initial RAM disk read from a file (or held in memory) when loaded. */
    public BootOptions withInitrd(InitrdImage image) {
        return new BootOptions(kernelFileName, cmdline, ramSize, cpuCount, memoryMap, image, apicIds, rsdpAddress);
    }

    /** The same options with these APIC IDs (one per vCPU). */
    public BootOptions withApicIds(List<Integer> ids) {
        return new BootOptions(kernelFileName, cmdline, ramSize, cpuCount, memoryMap, initrd, ids, rsdpAddress);
    }

    /** Options with the standard memory map for {@code ramSize} ({@link MemoryMap#forRamSize}). */
    public static BootOptions of(String kernelFileName, String cmdline, long ramSize, int cpuCount) {
        return new BootOptions(kernelFileName, cmdline, ramSize, cpuCount, MemoryMap.forRamSize(ramSize));
    }
}
