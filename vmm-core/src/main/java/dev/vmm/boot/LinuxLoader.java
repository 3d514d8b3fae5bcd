package dev.vmm.boot;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.firmware.E820Entry;
import dev.vmm.firmware.MemoryMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst), 64-bit entry: a bzImage's
 * protected-mode code (or an uncompressed vmlinux ELF64's PT_LOADs) goes to memory, a
 * {@code boot_params} "zero page" carries the setup header, command line, initrd and E820
 * table, and vCPU 0 starts in long mode at the 64-bit entry with RSI = zero page.
 */
public final class LinuxLoader {
    /** Where the bzImage protected-mode code goes (the classic code32_start). */
    public static final long KERNEL_LOAD = 0x100000;
    public static final int HDRS_MAGIC = 0x53726448; // "HdrS"
    public static final int MIN_PROTOCOL = 0x020c;
    public static final int XLF_KERNEL_64 = 1;
    public static final int LOADED_HIGH = 0x01;
    public static final int CAN_USE_HEAP = 0x80;
    public static final int MAX_E820 = 128;

    // boot_params offsets.
    static final int BP_ACPI_RSDP = 0x070;
    static final int BP_EXT_RAMDISK_IMAGE = 0x0c0;
    static final int BP_EXT_RAMDISK_SIZE = 0x0c4;
    static final int BP_EXT_CMD_LINE_PTR = 0x0c8;
    static final int BP_E820_ENTRIES = 0x1e8;
    static final int BP_E820_TABLE = 0x2d0;
    // setup header offsets (in the file and in boot_params).
    static final int SETUP_SECTS = 0x1f1;
    static final int BOOT_FLAG = 0x1fe;
    static final int HEADER = 0x202;
    static final int VERSION = 0x206;
    static final int TYPE_OF_LOADER = 0x210;
    static final int LOADFLAGS = 0x211;
    static final int CODE32_START = 0x214;
    static final int RAMDISK_IMAGE = 0x218;
    static final int RAMDISK_SIZE = 0x21c;
    static final int HEAP_END_PTR = 0x224;
    static final int CMD_LINE_PTR = 0x228;
    static final int INITRD_ADDR_MAX = 0x22c;
    static final int XLOADFLAGS = 0x236;
    static final int CMDLINE_SIZE = 0x238;
    static final int PREF_ADDRESS = 0x258;
    static final int INIT_SIZE = 0x260;
    static final int ZERO_PAGE_SIZE = 0x1000;

    private LinuxLoader() {
    }

    /** True when the image has the "HdrS" setup header magic at 0x202. */
    public static boolean isBzImage(byte[] image) {
        return image.length >= HEADER + 4
                && ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(HEADER) == HDRS_MAGIC;
    }

    /** Loads a bzImage. */
    public static BootPlan loadBzImage(byte[] image, BootOptions options) {
        String name = options.kernelFileName();
        if (image.length < 0x250) {
            throw new BootException(name + ": truncated bzImage (" + image.length + " bytes, no complete setup header)");
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int version = Short.toUnsignedInt(b.getShort(VERSION));
        if (version < MIN_PROTOCOL) {
            throw new BootException(String.format(
                    "%s: Linux boot protocol %d.%02d is too old: the 64-bit entry needs 2.12 or later",
                    name, version >> 8, version & 0xff));
        }
        int xloadflags = Short.toUnsignedInt(b.getShort(XLOADFLAGS));
        if ((xloadflags & XLF_KERNEL_64) == 0) {
            throw new BootException(name + ": bzImage has no 64-bit entry (XLF_KERNEL_64 not set in xloadflags)");
        }
        int setupSects = Byte.toUnsignedInt(image[SETUP_SECTS]);
        if (setupSects == 0) {
            setupSects = 4;
        }
        long pmOffset = (setupSects + 1L) * 512;
        if (pmOffset >= image.length) {
            throw new BootException(String.format(
                    "%s: truncated bzImage: protected-mode code starts at 0x%x, file has %d bytes",
                    name, pmOffset, image.length));
        }
        int syssize = b.getInt(0x1f4);
        long pmSize = image.length - pmOffset;
        if (syssize != 0 && Integer.toUnsignedLong(syssize) * 16 > pmSize + 15) {
            throw new BootException(String.format(
                    "%s: truncated bzImage: header says %d bytes of protected-mode code, file has %d",
                    name, Integer.toUnsignedLong(syssize) * 16, pmSize));
        }
        long initSize = Integer.toUnsignedLong(b.getInt(INIT_SIZE));
        long pref = b.getLong(PREF_ADDRESS);
        // The decompressor extracts to max(load address, pref_address) and needs init_size there.
        long kernelEnd = Math.max(KERNEL_LOAD + pmSize, Math.max(KERNEL_LOAD, pref) + initSize);
        LoadedImage.check(name, KERNEL_LOAD, kernelEnd - KERNEL_LOAD, options);
        byte[] pm = new byte[(int) pmSize];
        System.arraycopy(image, (int) pmOffset, pm, 0, pm.length);

        // The zero page starts as a copy of the setup header.
        byte[] zeroPage = new byte[ZERO_PAGE_SIZE];
        int headerEnd = Math.min(HEADER + 2 + Byte.toUnsignedInt(image[0x201]), 0x290);
        headerEnd = Math.max(headerEnd, 0x268);
        System.arraycopy(image, SETUP_SECTS, zeroPage, SETUP_SECTS, Math.min(headerEnd, image.length) - SETUP_SECTS);
        long cmdlineSize = Integer.toUnsignedLong(b.getInt(CMDLINE_SIZE));
        long initrdMax = Integer.toUnsignedLong(b.getInt(INITRD_ADDR_MAX));
        return finish(name, pm.length == 0 ? List.of() : List.of(new MemoryWrite(KERNEL_LOAD, pm)), List.of(),
                zeroPage, version, cmdlineSize, initrdMax, kernelEnd, KERNEL_LOAD + 0x200, options);
    }

    /** Loads an uncompressed vmlinux (ELF64 without a PVH note): PT_LOADs by paddr, e_entry is startup_64. */
    public static BootPlan loadVmlinux(ElfFile elf, BootOptions options) {
        String name = elf.fileName();
        if (!elf.is64()) {
            throw new BootException(name + ": not a 64-bit ELF kernel");
        }
        LoadedImage image = LoadedImage.fromElf(elf, options);
        long kernelEnd = KERNEL_LOAD;
        for (ProgramHeader ph : elf.loadSegments()) {
            kernelEnd = Math.max(kernelEnd, ph.paddr() + ph.memsz());
        }
        byte[] zeroPage = new byte[ZERO_PAGE_SIZE];
        ByteBuffer z = ByteBuffer.wrap(zeroPage).order(ByteOrder.LITTLE_ENDIAN);
        z.putShort(BOOT_FLAG, (short) 0xAA55);
        z.putInt(HEADER, HDRS_MAGIC);
        z.putShort(VERSION, (short) 0x020f);
        z.putShort(XLOADFLAGS, (short) XLF_KERNEL_64);
        return finish(name, image.writes(), image.zeroFills(), zeroPage, 0x020f, 2047, 0x7fffffffL, kernelEnd,
                elf.entry(), options);
    }

    private static BootPlan finish(String name, List<MemoryWrite> kernelWrites, List<ZeroFill> fills, byte[] zeroPage,
                                   int version, long cmdlineSize, long initrdAddrMax, long kernelEnd, long entry,
                                   BootOptions options) {
        ByteBuffer z = ByteBuffer.wrap(zeroPage).order(ByteOrder.LITTLE_ENDIAN);
        byte[] cmdline = options.cmdline().getBytes(StandardCharsets.UTF_8);
        if (cmdline.length > cmdlineSize) {
            throw new BootException(String.format("%s: kernel command line is too long (%d bytes, the kernel accepts at most %d)",
                    name, cmdline.length, cmdlineSize));
        }
        z.put(TYPE_OF_LOADER, (byte) 0xff);
        z.put(LOADFLAGS, (byte) (z.get(LOADFLAGS) | CAN_USE_HEAP | LOADED_HIGH));
        z.putShort(HEAP_END_PTR, (short) 0xfe00);
        z.putInt(CODE32_START, (int) KERNEL_LOAD);
        z.putInt(CMD_LINE_PTR, (int) PlatformLayout.CMDLINE);
        z.putInt(BP_EXT_CMD_LINE_PTR, 0);

        List<MemoryWrite> writes = new ArrayList<>(kernelWrites);
        List<FileWrite> fileWrites = new ArrayList<>();
        InitrdImage initrd = options.initrd();
        if (initrd != null && initrd.size() > 0) {
            long addr = placeInitrd(initrd.size(), initrdAddrMax, kernelEnd, options);
            z.putInt(RAMDISK_IMAGE, (int) addr);
            z.putInt(RAMDISK_SIZE, (int) initrd.size()); // below 4 GiB: placeInitrd put it there
            z.putInt(BP_EXT_RAMDISK_IMAGE, 0);
            z.putInt(BP_EXT_RAMDISK_SIZE, 0);
            initrd.addTo(addr, writes, fileWrites);
        }
        List<E820Entry> map = options.memoryMap();
        if (map.size() > MAX_E820) {
            throw new BootException("memory map has too many entries (" + map.size() + ")");
        }
        z.put(BP_E820_ENTRIES, (byte) map.size());
        int at = BP_E820_TABLE;
        for (E820Entry e : map) {
            z.putLong(at, e.address()).putLong(at + 8, e.size()).putInt(at + 16, e.type());
            at += 20;
        }
        if (version >= 0x020e) {
            z.putLong(BP_ACPI_RSDP, options.rsdpAddress());
        }
        writes.add(new MemoryWrite(PlatformLayout.LINUX_BOOT_PARAMS, zeroPage));
        writes.add(new MemoryWrite(PlatformLayout.BOOT_GDT, gdt()));
        writes.add(new MemoryWrite(PlatformLayout.PML4, pageTables()));
        writes.add(new MemoryWrite(PlatformLayout.CMDLINE, BootStrings.cmdline(options.cmdline())));
        EntryState state = new EntryState(CpuMode.LONG_64, entry, 0, 0, PlatformLayout.LINUX_BOOT_PARAMS);
        return new BootPlan(writes, fills, state, fileWrites);
    }

    /**
     * The initrd's address: page-aligned, as high as possible below min(addrMax + 1, RAM end
     * below 4 GiB), not below {@code kernelEnd}.
     */
    static long placeInitrd(long size, long addrMax, long kernelEnd, BootOptions options) {
        long limit = Math.min(addrMax + 1, MemoryMap.lowRamEnd(options.ramSize()));
        long addr = (limit - size) & ~0xfffL;
        if (limit - size < 0 || addr < kernelEnd) {
            throw new BootException(String.format(
                    "initrd of %d bytes does not fit between the kernel (ends at 0x%x) and 0x%x: give more memory (-m)",
                    size, kernelEnd, limit));
        }
        return addr;
    }

    /** Null, null, flat 64-bit code (0x10), flat data (0x18). */
    static byte[] gdt() {
        ByteBuffer g = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        g.putLong(0).putLong(0).putLong(0x00af9a000000ffffL).putLong(0x00cf92000000ffffL);
        return g.array();
    }

    /** GDT limit for {@link #gdt()}. */
    public static final int GDT_LIMIT = 32 - 1;

    /** PML4 (one entry), PDPT (four entries), four page directories of 2 MiB pages: identity map 0-4 GiB. */
    static byte[] pageTables() {
        int size = (int) (PlatformLayout.PAGE_TABLES_END - PlatformLayout.PML4);
        ByteBuffer t = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        long present = 0x3; // P | RW
        t.putLong(0, PlatformLayout.PDPT | present);
        int pdptOff = (int) (PlatformLayout.PDPT - PlatformLayout.PML4);
        int pdOff = (int) (PlatformLayout.PAGE_DIRECTORIES - PlatformLayout.PML4);
        for (int i = 0; i < 4; i++) {
            t.putLong(pdptOff + 8 * i, (PlatformLayout.PAGE_DIRECTORIES + 0x1000L * i) | present);
        }
        for (int i = 0; i < 4 * 512; i++) {
            t.putLong(pdOff + 8 * i, ((long) i << 21) | present | 0x80); // PS: 2 MiB page
        }
        return t.array();
    }
}
