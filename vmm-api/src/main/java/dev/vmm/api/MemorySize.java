package dev.vmm.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of guest RAM, in bytes. Built with {@link #ofMiB}, {@link #ofGiB} or {@link #parse}
 * (QEMU's {@code -m} spelling: {@code 512M}, {@code 2G}, a bare number is MiB).
 *
 * @param bytes the size in bytes; positive
 */
public record MemorySize(long bytes) {
    private static final Pattern SPELLING = Pattern.compile("(\\d+)([KMGT]?)");

    /** Rejects sizes that are not positive. */
    public MemorySize {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memory size must be positive, not " + bytes + " bytes");
        }
    }

    /** @param bytes the size in bytes */
    public static MemorySize ofBytes(long bytes) {
        return new MemorySize(bytes);
    }

    /** @param mib the size in MiB (2^20 bytes) */
    public static MemorySize ofMiB(long mib) {
        return new MemorySize(Math.multiplyExact(mib, 1L << 20));
    }

    /** @param gib the size in GiB (2^30 bytes) */
    public static MemorySize ofGiB(long gib) {
        return new MemorySize(Math.multiplyExact(gib, 1L << 30));
    }

    /**
     * Reads QEMU's {@code -m} spelling: a number with an optional {@code K}, {@code M}, {@code G}
     * or {@code T} suffix (powers of 1024); without a suffix, MiB.
     *
     * @param text for example {@code "64M"}
     * @return the size
     * @throws IllegalArgumentException if the text is not such a size
     */
    public static MemorySize parse(String text) {
        Matcher m = SPELLING.matcher(text.strip().toUpperCase(Locale.ROOT));
        try {
            if (m.matches()) {
                int shift = switch (m.group(2)) {
                    case "K" -> 10;
                    case "G" -> 30;
                    case "T" -> 40;
                    default -> 20; // "M", or no suffix
                };
                return new MemorySize(Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift));
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // too large: the same message as any other bad spelling
        }
        throw new IllegalArgumentException("invalid memory size '" + text + "': expected e.g. 64M or 2G");
    }

    /** The size in whole MiB, rounded down. */
    public long mib() {
        return bytes >> 20;
    }

    /** QEMU's spelling in the largest unit that divides it exactly, e.g. {@code 64M}. */
    @Override
    public String toString() {
        for (String unit : new String[] {"T", "G", "M", "K"}) {
            int shift = switch (unit) {
                case "T" -> 40;
                case "G" -> 30;
                case "M" -> 20;
                default -> 10;
            };
            if (bytes % (1L << shift) == 0) {
                return (bytes >> shift) + unit;
            }
        }
        return bytes + "B";
    }
}
