package dev.vmm.cli.monitor;

/**
 * The text of QEMU's {@code x} and {@code xp} (memory_dump in monitor/hmp-cmds-target.c): lines
 * of 16 bytes (8 for byte units), each starting with the address in 16 hex digits and a colon,
 * then one field per unit: x as {@code 0x} and zero-padded hex, d/u right-aligned decimal, o
 * octal with a leading 0, c as a quoted character with C escapes. A line that cannot be read
 * prints " Cannot access memory" and ends the dump. Units are little-endian, as on x86.
 */
final class MemoryDump {
    /** Reads {@code length} bytes at {@code address}; null when any of them cannot be read. */
    @FunctionalInterface
    interface Reader {
        byte[] read(long address, int length);
    }

    private MemoryDump() {
    }

    static String format(long address, MemoryDumpFormat fmt, Reader reader) {
        int wsize = fmt.size();
        char format = fmt.format();
        long len = (long) wsize * fmt.count();
        int lineSize = wsize == 1 ? 8 : 16;
        int maxDigits = switch (format) {
            case 'o' -> (wsize * 8 + 2) / 3;
            case 'u', 'd' -> (wsize * 8 * 10 + 32) / 33;
            case 'c' -> 0;
            default -> wsize * 8 / 4;
        };
        if (format == 'c') {
            wsize = 1; // after the line size and length were taken from the unit size, as QEMU does
        }
        StringBuilder sb = new StringBuilder();
        long addr = address;
        while (len > 0) {
            sb.append(String.format("%016x:", addr));
            int l = (int) Math.min(len, lineSize);
            byte[] buf = reader.read(addr, l);
            if (buf == null) {
                sb.append(" Cannot access memory\n");
                break;
            }
            for (int i = 0; i < l; i += wsize) {
                long v = unit(buf, i, Math.min(wsize, l - i));
                sb.append(' ');
                switch (format) {
                    case 'o' -> sb.append(String.format("%" + maxDigits + "s", v == 0 ? "0" : "0" + Long.toOctalString(v)));
                    case 'u' -> sb.append(String.format("%" + maxDigits + "s", Long.toUnsignedString(v)));
                    case 'd' -> sb.append(String.format("%" + maxDigits + "d", v));
                    case 'c' -> sb.append(printc((int) v));
                    default -> sb.append("0x").append(pad(Long.toHexString(v), maxDigits));
                }
            }
            sb.append('\n');
            addr += l;
            len -= l;
        }
        return sb.toString();
    }

    /** Little-endian unit of {@code size} bytes, zero-extended (QEMU loads unsigned, so d only shows negatives for 8-byte units). */
    private static long unit(byte[] buf, int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (buf[at + i] & 0xff);
        }
        return v;
    }

    private static String pad(String digits, int width) {
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    /** QEMU's monitor_printc: quoted, with \\' \\\\ \\n \\r and \\xNN for the unprintable. */
    static String printc(int c) {
        String body = switch (c) {
            case '\'' -> "\\'";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            default -> c >= 32 && c <= 126 ? String.valueOf((char) c) : String.format("\\x%02x", c);
        };
        return "'" + body + "'";
    }
}
