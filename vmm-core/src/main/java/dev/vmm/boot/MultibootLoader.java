package dev.vmm.boot;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.firmware.E820Entry;
import dev.vmm.firmware.MemoryMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Multiboot v1 boot the way QEMU's {@code -kernel} does it (hw/i386/multiboot.c): without
 * the a.out kludge flag the file must be an ELF32 and is loaded by program headers; with it,
 * the header's load_addr/load_end_addr/bss_end_addr/entry_addr decide (QEMU honours the
 * kludge even for ELF files, and so do we).
 */
public final class MultibootLoader {
    public static final String BOOT_LOADER_NAME = "vmm";

    private MultibootLoader() {
    }

    /**
     * The command line the kernel sees. QEMU formats "%s %s" with the kernel file name and
     * the append string, so an empty append still leaves a trailing space.
     */
    public static String commandLine(BootOptions options) {
        return options.kernelFileName() + " " + options.cmdline();
    }

    public static BootPlan load(byte[] image, MultibootHeader header, BootOptions options) {
        String name = options.kernelFileName();
        int unknownRequired = header.flags() & MultibootHeader.UNSUPPORTED_REQUIRED;
        if (unknownRequired != 0) {
            throw new BootException(String.format(
                    "%s: multiboot header requires features this loader does not have (flags 0x%x)", name, unknownRequired));
        }
        LoadedImage loaded;
        long entry;
        if (header.hasAoutKludge()) {
            loaded = loadKludge(image, header, options);
            entry = header.entryAddr();
        } else {
            if (!ElfFile.isElf(image)) {
                throw new BootException(name + ": multiboot kernel is neither ELF nor uses the a.out kludge");
            }
            ElfFile elf = ElfFile.parse(name, image);
            if (elf.is64()) {
                throw new BootException(name + ": cannot load a 64-bit ELF via multiboot, give a 32-bit one");
            }
            loaded = LoadedImage.fromElf(elf, options, PlatformLayout.FIXED_32BIT_ENTRY);
            entry = elf.entry();
        }

        List<E820Entry> map = options.memoryMap();
        long capacity = (PlatformLayout.MULTIBOOT_MMAP_LIMIT - PlatformLayout.MULTIBOOT_MMAP) / MultibootInfo.MMAP_ENTRY_SIZE;
        if (map.size() > capacity) {
            throw new BootException("memory map has too many entries (" + map.size() + ")");
        }
        ByteBuffer mm = ByteBuffer.allocate(map.size() * MultibootInfo.MMAP_ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (E820Entry e : map) {
            mm.putInt(MultibootInfo.MMAP_ENTRY_SIZE - 4).putLong(e.address()).putLong(e.size()).putInt(e.type());
        }
        // mem_upper is the RAM from 1 MiB up to the first hole, as QEMU reports it.
        long memUpper = (MemoryMap.lowRamEnd(options.ramSize()) - PlatformLayout.HIGH_MEMORY_START) / 1024;
        // The info block and command line go where PlatformLayout puts them unless the kernel is there.
        BootAreas areas = new BootAreas(loaded, options.ramSize());
        long block = areas.place(PlatformLayout.MULTIBOOT_INFO, PlatformLayout.MULTIBOOT_BLOCK, "multiboot information");
        long mmapAt = block + (PlatformLayout.MULTIBOOT_MMAP - PlatformLayout.MULTIBOOT_INFO);
        long nameAt = block + (PlatformLayout.MULTIBOOT_LOADER_NAME - PlatformLayout.MULTIBOOT_INFO);
        byte[] cmdline = BootStrings.cmdline(commandLine(options));
        long cmdlineAt = areas.place(PlatformLayout.CMDLINE, cmdline.length, "command line");
        MultibootInfo info = new MultibootInfo(
                MultibootInfo.FLAG_MEMORY | MultibootInfo.FLAG_CMDLINE | MultibootInfo.FLAG_MMAP
                        | MultibootInfo.FLAG_BOOT_LOADER_NAME,
                640, memUpper, cmdlineAt, mm.capacity(), mmapAt, nameAt);

        List<MemoryWrite> writes = new ArrayList<>(loaded.writes());
        writes.add(new MemoryWrite(block, info.toBytes()));
        writes.add(new MemoryWrite(mmapAt, mm.array()));
        writes.add(new MemoryWrite(nameAt, BootStrings.cString(BOOT_LOADER_NAME)));
        writes.add(new MemoryWrite(cmdlineAt, cmdline));
        EntryState state = new EntryState(CpuMode.PROTECTED_32, entry,
                Integer.toUnsignedLong(MultibootInfo.BOOTLOADER_MAGIC), block, 0);
        return new BootPlan(writes, loaded.zeroFills(), state);
    }

    /** The a.out kludge: file bytes from (header offset - (header_addr - load_addr)) go to load_addr. */
    private static LoadedImage loadKludge(byte[] image, MultibootHeader h, BootOptions options) {
        String name = options.kernelFileName();
        if (h.fileOffset() + 32 > image.length) {
            throw new BootException(name + ": truncated multiboot header");
        }
        if (h.headerAddr() < h.loadAddr()) {
            throw new BootException(name + ": bad multiboot header: header_addr below load_addr");
        }
        long textOffset = h.fileOffset() - (h.headerAddr() - h.loadAddr());
        if (textOffset < 0) {
            throw new BootException(name + ": bad multiboot header: load_addr before the start of the file");
        }
        long loadSize = h.loadEndAddr() != 0 ? h.loadEndAddr() - h.loadAddr() : image.length - textOffset;
        if (loadSize <= 0 || textOffset + loadSize > image.length) {
            throw new BootException(String.format(
                    "%s: truncated multiboot kernel: load range needs 0x%x bytes from file offset 0x%x, file has %d",
                    name, Math.max(loadSize, 0), textOffset, image.length));
        }
        long loadEnd = h.loadAddr() + loadSize;
        long bssSize = h.bssEndAddr() != 0 ? h.bssEndAddr() - loadEnd : 0;
        if (bssSize < 0) {
            throw new BootException(name + ": bad multiboot header: bss_end_addr below load_end_addr");
        }
        LoadedImage.check(name, h.loadAddr(), loadSize + bssSize, options, PlatformLayout.FIXED_32BIT_ENTRY);
        byte[] data = new byte[(int) loadSize];
        System.arraycopy(image, (int) textOffset, data, 0, data.length);
        List<ZeroFill> fills = bssSize > 0 ? List.of(new ZeroFill(loadEnd, bssSize)) : List.of();
        return new LoadedImage(List.of(new MemoryWrite(h.loadAddr(), data)), fills);
    }
}
