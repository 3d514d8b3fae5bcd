package dev.vmm.boot;

import java.util.Optional;

/**
 * Entry point for loading a kernel: detects the boot protocol and builds the plan.
 * Order: PVH when an ELF carries the Xen PHYS32_ENTRY note (it is the richer protocol); a
 * bzImage ("HdrS" at 0x202) by the Linux boot protocol; a multiboot v1 header in the first
 * 8 KiB; last an ELF64 without either (an uncompressed vmlinux) by the Linux boot protocol.
 */
public final class KernelLoader {
    private KernelLoader() {
    }

    /** The protocol a kernel image uses. */
    public enum Format {
        PVH("PVH (Xen PHYS32_ENTRY note: 32-bit entry, EBX = hvm_start_info)"),
        BZIMAGE("bzImage (Linux boot protocol: 64-bit entry, RSI = boot_params)"),
        MULTIBOOT("multiboot v1 (32-bit entry, EBX = multiboot info)"),
        VMLINUX("vmlinux (Linux boot protocol: 64-bit entry at ELF e_entry, RSI = boot_params)");

        private final String description;

        Format(String description) {
            this.description = description;
        }

        /** True for the formats booted by the Linux boot protocol. */
        public boolean isLinux() {
            return this == BZIMAGE || this == VMLINUX;
        }

        /** One phrase for users: the format and how it is entered. */
        public String description() {
            return description;
        }
    }

    /** Command line for Linux kernels when the user gives none. */
    public static final String LINUX_DEFAULT_CMDLINE = "console=ttyS0 reboot=k panic=-1";

    /** Detects the format without building a plan. */
    public static Format detect(byte[] image, String fileName) {
        if (image.length == 0) {
            throw new BootException(fileName + ": kernel file is empty");
        }
        ElfFile elf = null;
        if (ElfFile.isElf(image)) {
            elf = ElfFile.parse(fileName, image);
            if (PvhLoader.phys32Entry(elf).isPresent()) {
                return Format.PVH;
            }
        }
        if (LinuxLoader.isBzImage(image)) {
            return Format.BZIMAGE;
        }
        if (MultibootHeader.find(image).isPresent()) {
            return Format.MULTIBOOT;
        }
        if (elf != null && elf.is64()) {
            return Format.VMLINUX;
        }
        throw new BootException(fileName + ": not an ELF, PVH, multiboot or Linux bzImage kernel");
    }

    /**
     * Builds the boot plan for {@code image}.
     *
     * @throws BootException with a one-line message when the image cannot be booted
     */
    public static BootPlan load(byte[] image, BootOptions options) {
        String name = options.kernelFileName();
        Format format = detect(image, name);
        if (format == Format.PVH) {
            return PvhLoader.load(ElfFile.parse(name, image), options);
        }
        if (format == Format.BZIMAGE) {
            return LinuxLoader.loadBzImage(image, options);
        }
        if (format == Format.VMLINUX) {
            return LinuxLoader.loadVmlinux(ElfFile.parse(name, image), options);
        }
        Optional<MultibootHeader> header = MultibootHeader.find(image);
        return MultibootLoader.load(image, header.orElseThrow(), options);
    }
}
