package dev.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The multiboot v1 information structure ({@code struct multiboot_info}, 116 bytes with the
 * framebuffer fields left zero). Offsets used: 0 flags, 4 mem_lower, 8 mem_upper,
 * 16 cmdline, 44 mmap_length, 48 mmap_addr, 64 boot_loader_name.
 */
public record MultibootInfo(int flags, long memLowerKiB, long memUpperKiB, long cmdline,
                            long mmapLength, long mmapAddr, long bootLoaderName) {
    public static final int SIZE = 116;
    public static final int FLAG_MEMORY = 1;
    public static final int FLAG_CMDLINE = 1 << 2;
    public static final int FLAG_MMAP = 1 << 6;
    public static final int FLAG_BOOT_LOADER_NAME = 1 << 9;
    /** EAX on entry, so the kernel knows a multiboot loader started it. */
    public static final int BOOTLOADER_MAGIC = 0x2BADB002;
    /** One mmap entry: u32 size (=20, not counting itself), u64 base, u64 length, u32 type. */
    public static final int MMAP_ENTRY_SIZE = 24;

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, flags);
        b.putInt(4, (int) memLowerKiB);
        b.putInt(8, (int) memUpperKiB);
        b.putInt(16, (int) cmdline);
        b.putInt(44, (int) mmapLength);
        b.putInt(48, (int) mmapAddr);
        b.putInt(64, (int) bootLoaderName);
        return b.array();
    }
}
