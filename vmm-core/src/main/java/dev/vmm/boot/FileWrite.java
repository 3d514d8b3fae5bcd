package dev.vmm.boot;

import java.nio.file.Path;

/**
 * Copy the first {@code length} bytes of {@code file} to guest-physical address {@code gpa}, read
 * straight into guest memory when the plan is carried out: a large initrd never passes through
 * the Java heap. The file is read again on every reset; it must still hold {@code length} bytes.
 */
public record FileWrite(long gpa, Path file, long length) {
    public FileWrite {
        if (gpa < 0 || length < 0 || gpa > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("file write out of range: gpa " + gpa + ", length " + length);
        }
        if (file == null) {
            throw new IllegalArgumentException("file is required");
        }
    }

    public long end() {
        return gpa + length;
    }
}
