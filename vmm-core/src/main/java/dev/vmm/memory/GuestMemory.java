package dev.vmm.memory;

import dev.vmm.platform.PlatformLayout;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vmm.host.Errno;
import dev.vmm.host.LibC;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest RAM: one or more {@link MemoryRegion}s backed by anonymous private mmaps (or, with
 * {@link #createFileBacked}, by one shared mapping of a file: QEMU's {@code -mem-path}), with
 * bounds-checked little-endian accessors by guest-physical address.
 *
 * <p>MAP_NORESERVE because a guest rarely touches all its RAM; pages are only allocated on
 * first touch. Accesses go through JNA {@link Pointer} (native byte order), which is correct
 * because x86 guests are little-endian and so is the only host KVM/x86 runs on - the
 * constructor asserts that.
 */
public final class GuestMemory implements AutoCloseable {
    public static final long PAGE_SIZE = 4096;

    private final List<MemoryRegion> regions;
    /** The RAM file's descriptor (file-backed RAM), else -1; region i starts at its fileOffsets[i]. */
    private final int backingFd;
    private final long[] fileOffsets;
    private boolean closed;

    private GuestMemory(List<MemoryRegion> regions, int backingFd, long[] fileOffsets) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("guest memory accessors assume a little-endian host");
        }
        this.regions = List.copyOf(regions);
        this.backingFd = backingFd;
        this.fileOffsets = fileOffsets;
    }

    /** The (gpa, size) layout {@link #create(long)} uses, without allocating anything. */
    public static List<long[]> layout(long ramSize) {
        validateSize(ramSize);
        List<long[]> out = new ArrayList<>(2);
        long low = Math.min(ramSize, PlatformLayout.PCI_HOLE_START);
        out.add(new long[] {0, low});
        if (ramSize > low) {
            out.add(new long[] {PlatformLayout.HIGH_RAM_START, ramSize - low});
        }
        return out;
    }

    /** RAM of {@code ramSize} bytes split around the PCI hole: [0, 3G) and [4G, ...). */
    public static GuestMemory create(long ramSize) {
        return ofRegions(flatLayout(ramSize));
    }

    private static long[] flatLayout(long ramSize) {
        List<long[]> l = layout(ramSize);
        long[] flat = new long[l.size() * 2];
        for (int i = 0; i < l.size(); i++) {
            flat[2 * i] = l.get(i)[0];
            flat[2 * i + 1] = l.get(i)[1];
        }
        return flat;
    }

    /**
     * As {@link #create(long)}, with the RAM in a file mapped MAP_SHARED (QEMU's {@code -mem-path},
     * i.e. {@code memory-backend-file,share=on}): guest pages are then ordinary page-cache pages
     * of that file, which the host may write back and evict like any other, and which survive in
     * the file. {@code path} is a directory (a new file is created there and unlinked at once, as
     * QEMU does) or a file (created if missing, grown to {@code ramSize}, kept afterwards).
     */
    public static GuestMemory createFileBacked(long ramSize, Path path) {
        validateSize(ramSize);
        Path file;
        boolean temporary = Files.isDirectory(path);
        try {
            // both ways the file is 0600 when vmm creates it (Files.createTempFile's default), and a
            // symlink at FILE is refused rather than followed to make some other file guest RAM
            file = temporary ? Files.createTempFile(path, "vmm-ram-", null) : RamFile.createOrCheck(path);
            RamFile.growTo(file, ramSize); // sparse: blocks come on first write
        } catch (IOException e) {
            throw new IllegalStateException("cannot use --mem-path " + path + ": " + e.getMessage(), e);
        }
        int fd = LibC.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC | RamFile.O_NOFOLLOW);
        int err = Native.getLastError();
        if (temporary) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the mapping works either way; only a stray file would be left behind
            }
        }
        if (fd < 0) {
            throw new IllegalStateException("cannot open --mem-path file " + file + ": " + Errno.describe(err));
        }
        try {
            return map(flatLayout(ramSize), fd);
        } catch (RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /** Explicit layout: pairs of (gpa, size); page aligned, non-overlapping. */
    public static GuestMemory ofRegions(long... gpaSizePairs) {
        return map(gpaSizePairs, -1);
    }

    /** Maps the regions anonymous (fd -1) or from consecutive offsets of file {@code fd}. */
    private static GuestMemory map(long[] gpaSizePairs, int fd) {
        if (gpaSizePairs.length == 0 || gpaSizePairs.length % 2 != 0) {
            throw new IllegalArgumentException("expected (gpa, size) pairs");
        }
        List<MemoryRegion> regions = new ArrayList<>();
        long[] offsets = new long[gpaSizePairs.length / 2];
        long fileOffset = 0;
        try {
            for (int i = 0; i < gpaSizePairs.length; i += 2) {
                long gpa = gpaSizePairs[i];
                long size = gpaSizePairs[i + 1];
                validateSize(size);
                if (gpa < 0 || gpa % PAGE_SIZE != 0) {
                    throw new IllegalArgumentException("region gpa 0x" + Long.toHexString(gpa)
                            + " is not page aligned");
                }
                for (MemoryRegion r : regions) {
                    if (gpa < r.end() && r.gpa() < gpa + size) {
                        throw new IllegalArgumentException("region at 0x" + Long.toHexString(gpa)
                                + " overlaps region at 0x" + Long.toHexString(r.gpa()));
                    }
                }
                long host = fd < 0
                        ? LibC.mmap(0, size, LibC.PROT_READ | LibC.PROT_WRITE,
                                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0)
                        : LibC.mmap(0, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, fileOffset);
                if (host == LibC.MAP_FAILED) {
                    throw new IllegalStateException("mmap of " + size + " bytes of guest RAM failed: "
                            + Errno.describe(Native.getLastError()));
                }
                offsets[regions.size()] = fileOffset;
                fileOffset += size;
                regions.add(new MemoryRegion(gpa, size, host));
            }
        } catch (RuntimeException e) {
            regions.forEach(r -> LibC.munmap(r.hostAddress(), r.size()));
            throw e;
        }
        return new GuestMemory(regions, fd, offsets);
    }

    /** The RAM file's descriptor, or -1 when RAM is anonymous memory. */
    public int backingFd() {
        return backingFd;
    }

    /** Offset in the RAM file of guest-physical {@code gpa}; throws if it is not RAM. */
    public long fileOffset(long gpa) {
        MemoryRegion r = region(gpa, 1);
        return fileOffsets[regions.indexOf(r)] + (gpa - r.gpa());
    }

    private static void validateSize(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("guest RAM size must be > 0, got " + size);
        }
        if (size % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("guest RAM size " + size + " is not a multiple of 4 KiB");
        }
    }

    /** The regions, in creation order (for registering KVM memory slots). */
    public List<MemoryRegion> regions() {
        return regions;
    }

    /** Total RAM bytes. */
    public long size() {
        return regions.stream().mapToLong(MemoryRegion::size).sum();
    }

    /** Whether [gpa, gpa+len) is entirely RAM. */
    public boolean isRam(long gpa, long len) {
        return find(gpa, len) != null;
    }

    /** Host address for [gpa, gpa+len), e.g. for device DMA; throws if not entirely RAM. */
    public long hostAddress(long gpa, long len) {
        MemoryRegion r = region(gpa, len);
        return r.hostAddress() + (gpa - r.gpa());
    }

    private MemoryRegion find(long gpa, long len) {
        for (MemoryRegion r : regions) {
            if (r.contains(gpa, len)) {
                return r;
            }
        }
        return null;
    }

    private MemoryRegion region(long gpa, long len) {
        if (closed) {
            throw new IllegalStateException("guest memory is closed");
        }
        MemoryRegion r = find(gpa, len);
        if (r == null) {
            throw new GuestMemoryException(gpa, len);
        }
        return r;
    }

    private Pointer at(long gpa, long len) {
        MemoryRegion r = region(gpa, len);
        return new Pointer(r.hostAddress() + (gpa - r.gpa()));
    }

    public int readU8(long gpa) { return at(gpa, 1).getByte(0) & 0xff; }
    public int readU16(long gpa) { return at(gpa, 2).getShort(0) & 0xffff; }
    /** Unsigned 32-bit value returned in a long. */
    public long readU32(long gpa) { return at(gpa, 4).getInt(0) & 0xffff_ffffL; }
    public long readU64(long gpa) { return at(gpa, 8).getLong(0); }

    public void writeU8(long gpa, int v) { at(gpa, 1).setByte(0, (byte) v); }
    public void writeU16(long gpa, int v) { at(gpa, 2).setShort(0, (short) v); }
    public void writeU32(long gpa, long v) { at(gpa, 4).setInt(0, (int) v); }
    public void writeU64(long gpa, long v) { at(gpa, 8).setLong(0, v); }

    public void read(long gpa, byte[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        at(gpa, len).read(0, dst, off, len);
    }

    public byte[] read(long gpa, int len) {
        byte[] b = new byte[len];
        read(gpa, b, 0, len);
        return b;
    }

    public void write(long gpa, byte[] src, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        at(gpa, len).write(0, src, off, len);
    }

    public void write(long gpa, byte[] src) {
        write(gpa, src, 0, src.length);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (MemoryRegion r : regions) {
                LibC.munmap(r.hostAddress(), r.size());
            }
            if (backingFd >= 0) {
                LibC.close(backingFd);
            }
        }
    }
}
