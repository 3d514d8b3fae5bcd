package dev.vmm.cli.monitor;

/**
 * The {@code /FMT} of QEMU's {@code x} and {@code xp}: {@code /[count][format][size]} with the
 * format one of x (hex), d (signed), u (unsigned), o (octal), c (char), i (instructions) and the
 * size b (1), h (2), w (4), g or L (8), in any order after the count. Missing parts come from the
 * previous dump, as in QEMU, whose monitor starts with format x and size 4; the count does not
 * carry over (it is 1 without one).
 *
 * @param size bytes per unit; -1 for format i without a size
 */
record MemoryDumpFormat(int count, char format, int size) {
    /** QEMU's starting defaults. */
    static final MemoryDumpFormat INITIAL = new MemoryDumpFormat(1, 'x', 4);

    /**
     * Parses {@code text}, the argument after the command name (leading blanks allowed). Without
     * a {@code /} nothing is consumed and the previous format and size apply with a count of 1.
     * @return the format and how many characters of {@code text} it took
     */
    static Parsed parse(String text, MemoryDumpFormat previous) {
        int p = 0;
        while (p < text.length() && Character.isWhitespace(text.charAt(p))) p++;
        if (p >= text.length() || text.charAt(p) != '/') {
            int size = previous.format == 'i' ? -1 : previous.size;
            return new Parsed(new MemoryDumpFormat(1, previous.format, size), p);
        }
        p++;
        int count = 1;
        if (p < text.length() && Character.isDigit(text.charAt(p))) {
            long n = 0;
            while (p < text.length() && Character.isDigit(text.charAt(p))) {
                n = n * 10 + (text.charAt(p++) - '0');
                if (n > Integer.MAX_VALUE) {
                    throw new HmpException("invalid count in format: too large");
                }
            }
            count = (int) n;
        }
        int size = -1;
        char format = 0;
        scan:
        while (p < text.length()) {
            char c = text.charAt(p);
            switch (c) {
                case 'o', 'd', 'u', 'x', 'i', 'c' -> format = c;
                case 'b' -> size = 1;
                case 'h' -> size = 2;
                case 'w' -> size = 4;
                case 'g', 'L' -> size = 8;
                default -> {
                    break scan;
                }
            }
            p++;
        }
        if (p < text.length() && !Character.isWhitespace(text.charAt(p))) {
            throw new HmpException("invalid char in format: '" + text.charAt(p) + "'");
        }
        if (format == 0) {
            format = previous.format;
        }
        if (format != 'i' && size < 0) {
            size = previous.size > 0 ? previous.size : INITIAL.size;
        }
        return new Parsed(new MemoryDumpFormat(count, format, size), p);
    }

    /** What the next dump inherits: QEMU keeps the size only when this format was not i. */
    MemoryDumpFormat defaultsAfter(MemoryDumpFormat previous) {
        return new MemoryDumpFormat(1, format, format == 'i' ? previous.size : size);
    }

    record Parsed(MemoryDumpFormat format, int end) {
    }
}
