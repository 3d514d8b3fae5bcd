package dev.vmm.firmware;

import java.io.ByteArrayOutputStream;

/**
 * An ACPI resource template (the buffer a device's {@code _CRS} returns) built from small
 * resource descriptors (ACPI 6.x, section 6.4.2): fixed I/O ranges and legacy ISA IRQs.
 */
final class ResourceTemplate {
    private static final int IO_DESCRIPTOR = 0x47;       // small item 0x08, 7 bytes
    private static final int IRQ_DESCRIPTOR = 0x22;      // small item 0x04, 2 bytes: no flags byte
    private static final int END_TAG = 0x79;             // small item 0x0f, 1 byte
    private static final int IO_DECODE_16 = 0x01;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** {@code IO(Decode16, base, base, 1, length)}: {@code length} ports fixed at {@code base}. */
    ResourceTemplate io(int base, int length) {
        if (base < 0 || base > 0xffff || length < 1 || length > 0xff) {
            throw new IllegalArgumentException("I/O range 0x" + Integer.toHexString(base) + "+" + length);
        }
        bytes.writeBytes(new byte[] {IO_DESCRIPTOR, IO_DECODE_16,
            (byte) base, (byte) (base >> 8), (byte) base, (byte) (base >> 8), 1, (byte) length});
        return this;
    }

    /**
     * {@code IRQNoFlags() {irq}}: an ISA IRQ, which without the flags byte means edge-triggered,
     * active high and not shared, as the ISA bus wires it.
     */
    ResourceTemplate irq(int irq) {
        if (irq < 0 || irq > 15) {
            throw new IllegalArgumentException("not an ISA IRQ: " + irq);
        }
        int mask = 1 << irq;
        bytes.writeBytes(new byte[] {IRQ_DESCRIPTOR, (byte) mask, (byte) (mask >> 8)});
        return this;
    }

    /** The descriptors and the end tag (checksum 0: "treat as correct", as firmware writes it). */
    byte[] toBytes() {
        return Aml.concat(bytes.toByteArray(), new byte[] {END_TAG, 0});
    }
}
