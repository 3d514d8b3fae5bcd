package dev.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Xen's {@code struct hvm_start_info}, version 1 (xen/include/public/arch-x86/hvm/start_info.h),
 * which a PVH kernel finds through EBX. Layout (56 bytes, little-endian):
 * <pre>
 *  0 u32 magic   4 u32 version   8 u32 flags   12 u32 nr_modules
 * 16 u64 modlist_paddr   24 u64 cmdline_paddr   32 u64 rsdp_paddr
 * 40 u64 memmap_paddr    48 u32 memmap_entries  52 u32 reserved
 * </pre>
 */
public record HvmStartInfo(int flags, int nrModules, long modlistPaddr, long cmdlinePaddr,
                           long rsdpPaddr, long memmapPaddr, int memmapEntries) {
    public static final int MAGIC = 0x336ec578;
    public static final int VERSION = 1;
    public static final int SIZE = 56;
    /** Size of one {@code hvm_memmap_table_entry}: u64 addr, u64 size, u32 type, u32 reserved. */
    public static final int MEMMAP_ENTRY_SIZE = 24;

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putInt(flags).putInt(nrModules);
        b.putLong(modlistPaddr).putLong(cmdlinePaddr).putLong(rsdpPaddr).putLong(memmapPaddr);
        b.putInt(memmapEntries).putInt(0);
        return b.array();
    }
}
