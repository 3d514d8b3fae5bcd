package dev.vmm.memory;

/**
 * A contiguous piece of guest RAM: {@code size} bytes at guest-physical {@code gpa}, backed by
 * host memory at {@code hostAddress}. This is exactly what a KVM memory slot needs.
 */
public record MemoryRegion(long gpa, long size, long hostAddress) {
    /** First guest-physical address past the region. */
    public long end() {
        return gpa + size;
    }

    /** True when [addr, addr+len) lies entirely inside this region (overflow-safe). */
    public boolean contains(long addr, long len) {
        return addr >= gpa && len >= 0 && addr - gpa <= size - len;
    }
}
