package dev.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A multiboot v1 header found in a kernel file: magic 0x1BADB002, flags, checksum
 * (the three sum to 0 mod 2^32), 4-byte aligned within the first 8 KiB; the address
 * fields are meaningful only when {@link #FLAG_AOUT_KLUDGE} is set.
 *
 * @param fileOffset where the header starts in the file
 */
public record MultibootHeader(int fileOffset, int flags, long headerAddr, long loadAddr,
                              long loadEndAddr, long bssEndAddr, long entryAddr) {
    public static final int MAGIC = 0x1BADB002;
    public static final int SEARCH_LIMIT = 8192;
    /** Bit 16: the header's address fields say where to load the file (a.out kludge). */
    public static final int FLAG_AOUT_KLUDGE = 1 << 16;
    /**
     * Bits 0-15 are requirements: a loader that does not know one must refuse the kernel. Known
     * are 0 (page-aligned modules: vmm loads none), 1 (memory information: always given) and 2
     * (video mode: QEMU and vmm boot without it, with no framebuffer); the rest are refused, as
     * GRUB does (its MULTIBOOT_UNSUPPORTED is 0x0000fff8).
     */
    public static final int UNSUPPORTED_REQUIRED = 0x0000_fff8;

    public boolean hasAoutKludge() {
        return (flags & FLAG_AOUT_KLUDGE) != 0;
    }

    /** Searches the first {@link #SEARCH_LIMIT} bytes for a header with a valid checksum. */
    public static Optional<MultibootHeader> find(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int limit = Math.min(image.length, SEARCH_LIMIT);
        for (int off = 0; off + 12 <= limit; off += 4) {
            int magic = b.getInt(off);
            if (magic != MAGIC) {
                continue;
            }
            int flags = b.getInt(off + 4);
            int checksum = b.getInt(off + 8);
            if (magic + flags + checksum != 0) {
                continue;
            }
            long[] f = new long[5];
            for (int i = 0; i < 5; i++) {
                int at = off + 12 + 4 * i;
                f[i] = at + 4 <= image.length ? Integer.toUnsignedLong(b.getInt(at)) : 0;
            }
            return Optional.of(new MultibootHeader(off, flags, f[0], f[1], f[2], f[3], f[4]));
        }
        return Optional.empty();
    }
}
