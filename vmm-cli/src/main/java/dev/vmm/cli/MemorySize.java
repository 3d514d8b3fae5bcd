package dev.vmm.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * QEMU's {@code -m} values: {@code 512}, {@code 512M}, {@code 1.5G}, {@code size=2G}, and the memory
 * hot-plug keys {@code slots=}/{@code maxmem=} (only where they ask for no hot-plug, which vmm does not
 * have). A bare number is MiB; suffixes B, K, M, G, T, P, E in either case are powers of 1024, as
 * QEMU's qemu_strtosz (util/cutils.c) reads them. The result is rounded up to 8 KiB as QEMU's
 * parse_memory_options (softmmu/vl.c) does.
 */
public final class MemorySize {
    private static final long QEMU_RAM_ALIGN = 8192;
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[0-9]+(\\.[0-9]*)?|\\.[0-9]+");

    private MemorySize() {
    }

    public static long parse(String text) {
        String size = null;
        long maxmem = -1;
        for (String raw : text.trim().split(",", -1)) {
            String part = raw.trim();
            int eq = part.indexOf('=');
            String key = eq < 0 ? null : part.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? part : part.substring(eq + 1);
            if (key == null || key.equals("size")) {
                size = value;
            } else if (key.equals("slots")) {
                if (!value.equals("0")) {
                    throw new UserError("-m " + text + ": memory hot-plug (slots=" + value + ") is not supported, vmm has no DIMM slots");
                }
            } else if (key.equals("maxmem")) {
                maxmem = bytes(text, value);
            } else {
                throw new UserError("-m " + text + ": unknown -m option '" + key + "' (size=, slots=0, maxmem= are understood)");
            }
        }
        if (size == null || size.isEmpty()) {
            throw new UserError("invalid memory size '" + text + "': expected a number such as 512M or 2G");
        }
        long bytes = bytes(text, size);
        if (maxmem >= 0 && maxmem != bytes) {
            throw new UserError("-m " + text + ": maxmem above the RAM size means memory hot-plug, which vmm does not have");
        }
        return bytes;
    }

    /** One size: a decimal number (fractions allowed) with an optional suffix; MiB when bare. */
    private static long bytes(String whole, String text) {
        String t = text.trim();
        long unit = 1L << 20;
        if (!t.isEmpty() && Character.isLetter(t.charAt(t.length() - 1))) {
            if (t.length() > 1 && Character.isDigit(t.charAt(0)) && Character.isLetter(t.charAt(t.length() - 2))) { // "512Mi"
                throw new UserError("invalid memory size '" + whole + "': use one K, M, G or T suffix");
            }
            char suffix = Character.toUpperCase(t.charAt(t.length() - 1));
            t = t.substring(0, t.length() - 1);
            unit = switch (suffix) {
                case 'B' -> 1;
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                case 'T' -> 1L << 40;
                case 'P' -> 1L << 50;
                case 'E' -> 1L << 60;
                default -> throw new UserError("invalid memory size '" + whole
                        + "': expected a number such as 512M or 2G (suffix B, K, M, G, T, P or E)");
            };
        }
        // digits with an optional fraction only: BigDecimal would also take an exponent, and
        // 1e999999999 would then be expanded to a billion digits before the range check
        if (!DECIMAL.matcher(t).matches()) {
            throw new UserError("invalid memory size '" + whole + "': expected a number such as 512M or 2G");
        }
        BigDecimal n = new BigDecimal(t);
        BigDecimal total = n.multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.CEILING);
        if (n.signum() < 0 || total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE - QEMU_RAM_ALIGN)) > 0) {
            throw new UserError("invalid memory size '" + whole + "'");
        }
        long b = total.longValueExact();
        return (b + QEMU_RAM_ALIGN - 1) / QEMU_RAM_ALIGN * QEMU_RAM_ALIGN;
    }

    public static String format(long bytes) {
        if (bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        if (bytes % (1L << 20) == 0) return (bytes >> 20) + " MiB";
        return bytes + " bytes";
    }
}
