package dev.vmm.boot;

/** Zero {@code length} bytes at guest-physical {@code gpa} (an ELF segment's BSS tail). */
public record ZeroFill(long gpa, long length) {
    public ZeroFill {
        if (gpa < 0 || length < 0) {
            throw new IllegalArgumentException("bad zero fill " + gpa + "+" + length);
        }
    }

    public long end() {
        return gpa + length;
    }
}
