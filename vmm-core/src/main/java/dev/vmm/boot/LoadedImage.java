package dev.vmm.boot;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.firmware.MemoryMap;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel bytes placed in guest memory: the writes and BSS fills a loader produced for the
 * image itself. Placement is checked here once for every format: each range must be backed
 * by guest RAM and must stay clear of {@link PlatformLayout#RESERVED} (Linux) or
 * {@link PlatformLayout#FIXED_32BIT_ENTRY} (PVH, multiboot: the rest moves, see {@link BootAreas}).
 */
record LoadedImage(List<MemoryWrite> writes, List<ZeroFill> zeroFills) {

    /** Loads the PT_LOAD segments of an ELF by physical address, BSS tails zeroed. */
    static LoadedImage fromElf(ElfFile elf, BootOptions options) {
        return fromElf(elf, options, PlatformLayout.RESERVED);
    }

    /** The same, checked only against {@code reserved} (PVH and multiboot: {@link PlatformLayout#FIXED_32BIT_ENTRY}). */
    static LoadedImage fromElf(ElfFile elf, BootOptions options, List<PlatformLayout.Reserved> reserved) {
        List<MemoryWrite> writes = new ArrayList<>();
        List<ZeroFill> fills = new ArrayList<>();
        for (ProgramHeader ph : elf.loadSegments()) {
            if (ph.memsz() == 0) {
                continue;
            }
            check(elf.fileName(), ph.paddr(), ph.memsz(), options, reserved);
            if (ph.filesz() > 0) {
                writes.add(new MemoryWrite(ph.paddr(), elf.segmentData(ph)));
            }
            if (ph.memsz() > ph.filesz()) {
                fills.add(new ZeroFill(ph.paddr() + ph.filesz(), ph.memsz() - ph.filesz()));
            }
        }
        if (writes.isEmpty() && fills.isEmpty()) {
            throw new BootException(elf.fileName() + ": ELF file has no loadable segments");
        }
        return new LoadedImage(writes, fills);
    }

    /** Rejects a range not backed by RAM or touching a loader-reserved range. */
    static void check(String fileName, long gpa, long length, BootOptions options) {
        check(fileName, gpa, length, options, PlatformLayout.RESERVED);
    }

    static void check(String fileName, long gpa, long length, BootOptions options, List<PlatformLayout.Reserved> reserved) {
        if (!MemoryMap.isBacked(options.ramSize(), gpa, length)) {
            throw new BootException(String.format(
                    "%s: kernel segment 0x%x-0x%x lies outside guest RAM (RAM size %s)",
                    fileName, gpa, gpa + length - 1, describeSize(options.ramSize())));
        }
        for (PlatformLayout.Reserved r : reserved) {
            if (r.overlaps(gpa, length)) {
                throw new BootException(String.format(
                        "%s: kernel segment 0x%x-0x%x overlaps the %s area 0x%x-0x%x",
                        fileName, gpa, gpa + length - 1, r.name(), r.start(), r.end() - 1));
            }
        }
    }

    static String describeSize(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        return bytes + " bytes";
    }
}
