package dev.vmm.boot;

/**
 * Overflow-safe bounds arithmetic for parsers. Header fields come from the file and can be
 * anything: {@code offset + length > size} wraps to a negative number for an offset near 2^63
 * and passes, so every check here subtracts instead of adding, and treats values as unsigned
 * where the format does (a negative long is a u64 of 2^63 or more).
 */
public final class FileRange {
    private FileRange() {
    }

    /** Whether [offset, offset + length) lies within [0, size), without overflow. */
    public static boolean fits(long offset, long length, long size) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    /** {@code count * each}, or -1 when that does not fit in a non-negative long. */
    public static long times(long count, long each) {
        if (count < 0 || each < 0) return -1;
        try {
            return Math.multiplyExact(count, each);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** {@code a + b} for non-negative values, or -1 when it does not fit. */
    public static long plus(long a, long b) {
        if (a < 0 || b < 0 || a > Long.MAX_VALUE - b) return -1;
        return a + b;
    }
}
