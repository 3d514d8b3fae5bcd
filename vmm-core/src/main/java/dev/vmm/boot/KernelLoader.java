package dev.vmm.boot;

import java.util.Optional;

/**
 * Entry point for loading a kernel: detects the boot protocol and builds the plan.
 * PVH wins when an ELF carries the Xen PHYS32_ENTRY note (it is the richer protocol);
 * otherwise a multiboot v1 header in the first 8 KiB selects multiboot.
 */
public final class KernelLoader {
    private KernelLoader() {
    }

    /** The protocol a kernel image uses. */
    public enum Format { PVH, MULTIBOOT }

    /** Detects the format without building a plan. */
    public static Format detect(byte[] image, String fileName) {
        if (image.length == 0) {
            throw new BootException(fileName + ": kernel file is empty");
        }
        if (ElfFile.isElf(image)) {
            ElfFile elf = ElfFile.parse(fileName, image);
            if (PvhLoader.phys32Entry(elf).isPresent()) {
                return Format.PVH;
            }
        }
        if (MultibootHeader.find(image).isPresent()) {
            return Format.MULTIBOOT;
        }
        throw new BootException(fileName + ": not an ELF, PVH or multiboot kernel");
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
        Optional<MultibootHeader> header = MultibootHeader.find(image);
        return MultibootLoader.load(image, header.orElseThrow(), options);
    }
}
