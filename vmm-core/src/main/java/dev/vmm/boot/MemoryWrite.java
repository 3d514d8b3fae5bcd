package dev.vmm.boot;

/** Copy {@code data} to guest-physical address {@code gpa}. */
public record MemoryWrite(long gpa, byte[] data) {
    public MemoryWrite {
        if (gpa < 0) {
            throw new IllegalArgumentException("negative guest address");
        }
        data = data.clone();
    }

    public long end() {
        return gpa + data.length;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Length without copying the data. */
    public int length() {
        return data.length;
    }
}
