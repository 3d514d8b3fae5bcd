package dev.vmm.cli.gdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The gdb remote protocol's framing (gdb manual, "Overview" of the remote protocol): a packet is
 * {@code $payload#cc} with {@code cc} the modulo-256 sum of the payload bytes in two hex digits;
 * {@code $ # } *} inside the payload are escaped as {@code }} followed by the byte XOR 0x20;
 * {@code X*n} is a run-length encoding (X repeated n - 29 more times). Pure functions.
 */
public final class GdbPacket {
    private static final byte ESCAPE = '}';

    private GdbPacket() {
    }

    /** The two-hex-digit checksum of {@code payload}. */
    public static int checksum(byte[] payload, int off, int len) {
        int sum = 0;
        for (int i = off; i < off + len; i++) {
            sum += payload[i] & 0xff;
        }
        return sum & 0xff;
    }

    /** {@code $payload#cc} with the bytes that must be escaped escaped. */
    public static byte[] frame(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 4);
        out.write('$');
        for (byte b : payload) {
            if (b == '$' || b == '#' || b == ESCAPE || b == '*') {
                out.write(ESCAPE);
                out.write(b ^ 0x20);
            } else {
                out.write(b);
            }
        }
        byte[] body = out.toByteArray();
        int sum = checksum(body, 1, body.length - 1);
        out.write('#');
        out.writeBytes(String.format("%02x", sum).getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    public static byte[] frame(String payload) {
        return frame(payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * The payload as sent (between {@code $} and {@code #}), unescaped and run-length expanded.
     * @throws IllegalArgumentException for an escape or run-length marker with nothing after it,
     *         or a run that would exceed {@code maxLength}
     */
    public static byte[] decode(byte[] raw, int maxLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            byte b = raw[i];
            if (b == ESCAPE) {
                if (++i >= raw.length) {
                    throw new IllegalArgumentException("packet ends inside an escape");
                }
                out.write(raw[i] ^ 0x20);
            } else if (b == '*') {
                if (++i >= raw.length || out.size() == 0) {
                    throw new IllegalArgumentException("run-length marker without a byte to repeat or a count");
                }
                int repeat = (raw[i] & 0xff) - 29;
                if (repeat < 3 || repeat > 97) {
                    throw new IllegalArgumentException("run-length count " + repeat + " out of range");
                }
                byte last = out.toByteArray()[out.size() - 1];
                for (int k = 0; k < repeat; k++) {
                    out.write(last);
                }
            } else {
                out.write(b);
            }
            if (out.size() > maxLength) {
                throw new IllegalArgumentException("packet longer than " + maxLength + " bytes");
            }
        }
        return out.toByteArray();
    }
}
