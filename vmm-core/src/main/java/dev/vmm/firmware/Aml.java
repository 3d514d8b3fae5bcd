package dev.vmm.firmware;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encoder for the few AML (ACPI Machine Language) terms the DSDT is built from: names, scopes,
 * devices, integers, EISA ids and buffers (ACPI 6.x, chapter 20). Each method returns the
 * complete encoding of one term, so terms nest by passing one's bytes into another.
 */
final class Aml {
    private static final int NAME_OP = 0x08;
    private static final int SCOPE_OP = 0x10;
    private static final int BUFFER_OP = 0x11;
    private static final int PACKAGE_OP = 0x12;
    private static final int EXT_OP_PREFIX = 0x5b;
    private static final int DEVICE_OP = 0x82;
    private static final int ROOT_CHAR = '\\';

    private Aml() {
    }

    /** {@code Name(seg, object)}. */
    static byte[] name(String seg, byte[] object) {
        return concat(new byte[] {NAME_OP}, nameSeg(seg), object);
    }

    /** {@code Scope(\seg) { terms }}: a scope at the namespace root, such as {@code \_SB_}. */
    static byte[] rootScope(String seg, byte[]... terms) {
        byte[] body = concat(new byte[] {(byte) ROOT_CHAR}, nameSeg(seg), concat(terms));
        return concat(new byte[] {SCOPE_OP}, pkgLength(body.length), body);
    }

    /** {@code Device(seg) { terms }}. */
    static byte[] device(String seg, byte[]... terms) {
        byte[] body = concat(nameSeg(seg), concat(terms));
        return concat(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, pkgLength(body.length), body);
    }

    /** {@code Package() { elements }}, at most 255 elements. */
    static byte[] pkg(byte[]... elements) {
        if (elements.length > 255) {
            throw new IllegalArgumentException("a Package holds at most 255 elements: " + elements.length);
        }
        byte[] body = concat(new byte[] {(byte) elements.length}, concat(elements));
        return concat(new byte[] {PACKAGE_OP}, pkgLength(body.length), body);
    }

    /** {@code Buffer() { bytes }}, such as a resource template. */
    static byte[] buffer(byte[] bytes) {
        byte[] body = concat(integer(bytes.length), bytes);
        return concat(new byte[] {BUFFER_OP}, pkgLength(body.length), body);
    }

    /** The shortest integer term for {@code value}: Zero, One, or a Byte/Word/DWord/QWord constant. */
    static byte[] integer(long value) {
        if (value == 0) {
            return new byte[] {0x00};
        }
        if (value == 1) {
            return new byte[] {0x01};
        }
        int prefix;
        int size;
        if ((value & ~0xffL) == 0) {
            prefix = 0x0a;
            size = 1;
        } else if ((value & ~0xffffL) == 0) {
            prefix = 0x0b;
            size = 2;
        } else if ((value & ~0xffff_ffffL) == 0) {
            prefix = 0x0c;
            size = 4;
        } else {
            prefix = 0x0e;
            size = 8;
        }
        byte[] out = new byte[1 + size];
        out[0] = (byte) prefix;
        for (int i = 0; i < size; i++) {
            out[1 + i] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    /**
     * {@code EisaId("PNP0501")}: the compressed 32-bit EISA id as a DWord constant. Three letters
     * of five bits each ('A' = 1) fill the first two bytes, the four hex digits the next two.
     */
    static byte[] eisaId(String id) {
        if (!id.matches("[A-Z]{3}[0-9A-F]{4}")) {
            throw new IllegalArgumentException("not an EISA id (three capitals, four hex digits): " + id);
        }
        int c1 = id.charAt(0) - '@';
        int c2 = id.charAt(1) - '@';
        int c3 = id.charAt(2) - '@';
        int product = Integer.parseInt(id.substring(3), 16);
        return new byte[] {0x0c,
            (byte) ((c1 << 2) | (c2 >> 3)), (byte) (((c2 & 7) << 5) | c3),
            (byte) (product >> 8), (byte) product};
    }

    /** A four-character name segment ({@code _HID}, {@code COM1}); shorter names are padded with '_'. */
    static byte[] nameSeg(String seg) {
        if (!seg.matches("[A-Z_][A-Z0-9_]{0,3}")) {
            throw new IllegalArgumentException("not an AML name segment: " + seg);
        }
        return (seg + "___").substring(0, 4).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * PkgLength for {@code contentLength} bytes following it; the encoded length counts the
     * PkgLength bytes themselves. One byte holds up to 63, else the lead byte says how many
     * bytes follow (bits 7-6) and holds the low nibble, the following bytes the rest.
     */
    static byte[] pkgLength(int contentLength) {
        if (contentLength + 1 <= 0x3f) {
            return new byte[] {(byte) (contentLength + 1)};
        }
        for (int extra = 1; extra <= 3; extra++) {
            int total = contentLength + 1 + extra;
            if (total < (1 << (4 + 8 * extra))) {
                byte[] out = new byte[1 + extra];
                out[0] = (byte) ((extra << 6) | (total & 0x0f));
                for (int i = 1; i <= extra; i++) {
                    out[i] = (byte) (total >>> (4 + 8 * (i - 1)));
                }
                return out;
            }
        }
        throw new IllegalArgumentException("AML package too long: " + contentLength);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
