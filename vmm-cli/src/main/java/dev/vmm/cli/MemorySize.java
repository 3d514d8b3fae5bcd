package dev.vmm.cli;

import java.util.Locale;

/** Parses QEMU's {@code -m} values: a number with an optional K/M/G/T suffix, MiB when bare. */
public final class MemorySize {
    private MemorySize() {
    }

    public static long parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.startsWith("SIZE=")) {
            t = t.substring(5);
        }
        long unit = 1L << 20;
        if (!t.isEmpty() && Character.isLetter(t.charAt(t.length() - 1))) {
            char suffix = t.charAt(t.length() - 1);
            t = t.substring(0, t.length() - 1);
            if (t.endsWith("I")) { // tolerate "Mi", "Gi"
                throw new UserError("invalid memory size '" + text + "': use a K, M, G or T suffix");
            }
            unit = switch (suffix) {
                case 'B' -> 1;
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                case 'T' -> 1L << 40;
                default -> throw new UserError("invalid memory size '" + text + "': use a K, M, G or T suffix");
            };
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new UserError("invalid memory size '" + text + "'");
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new UserError("invalid memory size '" + text + "': expected a number such as 512M or 2G");
        }
    }

    public static String format(long bytes) {
        if (bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        if (bytes % (1L << 20) == 0) return (bytes >> 20) + " MiB";
        return bytes + " bytes";
    }
}
