package dev.vmm.boot;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.firmware.E820Entry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * PVH boot (Xen's direct boot protocol, also used by QEMU/Firecracker for Linux and many
 * small kernels): the ELF carries a "Xen" note of type {@link #XEN_ELFNOTE_PHYS32_ENTRY}
 * giving a 32-bit physical entry point, entered in flat protected mode with EBX pointing
 * to {@link HvmStartInfo}.
 */
public final class PvhLoader {
    public static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;

    private PvhLoader() {
    }

    /** The PVH entry from the Xen note, if the image has one. Descriptor is a u32 or u64. */
    public static Optional<Long> phys32Entry(ElfFile elf) {
        for (ElfNote n : elf.notes()) {
            if (n.name().equals("Xen") && n.type() == XEN_ELFNOTE_PHYS32_ENTRY) {
                byte[] d = n.desc();
                ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
                if (d.length == 4) {
                    return Optional.of(Integer.toUnsignedLong(b.getInt()));
                }
                if (d.length == 8) {
                    return Optional.of(b.getLong());
                }
                throw new BootException(elf.fileName() + ": bad PVH entry note (descriptor of " + d.length + " bytes)");
            }
        }
        return Optional.empty();
    }

    public static BootPlan load(ElfFile elf, BootOptions options) {
        long entry = phys32Entry(elf).orElseThrow(
                () -> new BootException(elf.fileName() + ": no PVH entry note"));
        if (entry < 0 || entry >= 0x1_0000_0000L) {
            throw new BootException(String.format("%s: PVH entry point 0x%x is above 4 GiB", elf.fileName(), entry));
        }
        LoadedImage image = LoadedImage.fromElf(elf, options, PlatformLayout.FIXED_32BIT_ENTRY);
        // Start info, modlist and memmap go where PlatformLayout puts them unless the kernel is there.
        BootAreas areas = new BootAreas(image, options.ramSize());
        long block = areas.place(PlatformLayout.PVH_START_INFO, PlatformLayout.PVH_BLOCK, "PVH start info");
        long modlistAt = block + (PlatformLayout.PVH_MODLIST - PlatformLayout.PVH_START_INFO);
        long memmapAt = block + (PlatformLayout.PVH_MEMMAP - PlatformLayout.PVH_START_INFO);
        byte[] cmdline = BootStrings.cmdline(options.cmdline());
        long cmdlineAt = areas.place(PlatformLayout.CMDLINE, cmdline.length, "command line");

        List<E820Entry> map = options.memoryMap();
        long memmapCapacity = (PlatformLayout.PVH_MEMMAP_LIMIT - PlatformLayout.PVH_MEMMAP) / HvmStartInfo.MEMMAP_ENTRY_SIZE;
        if (map.size() > memmapCapacity) {
            throw new BootException("memory map has too many entries (" + map.size() + ")");
        }
        ByteBuffer mm = ByteBuffer.allocate(map.size() * HvmStartInfo.MEMMAP_ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (E820Entry e : map) {
            mm.putLong(e.address()).putLong(e.size()).putInt(e.type()).putInt(0);
        }
        List<MemoryWrite> writes = new ArrayList<>(image.writes());
        int modules = 0;
        List<FileWrite> fileWrites = new ArrayList<>();
        InitrdImage initrd = options.initrd();
        if (initrd != null && initrd.size() > 0) {
            // The initrd is module 0 of the hvm_modlist (Linux's PVH entry takes it as the initrd).
            long kernelEnd = 0;
            for (ProgramHeader ph : elf.loadSegments()) {
                kernelEnd = Math.max(kernelEnd, ph.paddr() + ph.memsz());
            }
            long addr = LinuxLoader.placeInitrd(initrd.size(), 0xffffffffL, kernelEnd, options);
            ByteBuffer mod = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            mod.putLong(addr).putLong(initrd.size()).putLong(0).putLong(0);
            writes.add(new MemoryWrite(modlistAt, mod.array()));
            initrd.addTo(addr, writes, fileWrites);
            modules = 1;
        }
        HvmStartInfo info = new HvmStartInfo(0, modules, modules == 0 ? 0 : modlistAt,
                cmdlineAt, options.rsdpAddress(), memmapAt, map.size());

        writes.add(new MemoryWrite(block, info.toBytes()));
        writes.add(new MemoryWrite(memmapAt, mm.array()));
        writes.add(new MemoryWrite(cmdlineAt, cmdline));
        EntryState state = new EntryState(CpuMode.PROTECTED_32, entry, 0, block, 0);
        return new BootPlan(writes, image.zeroFills(), state, fileWrites);
    }
}
