package dev.vmm.vm;

/**
 * MSI address arithmetic. An MSI address is 0xFEE in bits 31:20, the destination APIC ID in
 * bits 19:12, redirection hint and destination mode in bits 3:2. With kvm-msi-ext-dest-id a
 * guest puts destination bits 14:8 in the otherwise reserved bits 11:5 (bit 4 stays clear), so
 * that 15-bit APIC IDs work without interrupt remapping.
 */
public final class MsiAddress {
    private static final long EXT_DEST_MASK = 0xfe0L;

    private MsiAddress() {
    }

    /**
     * Rewrites the extended-destination form into the one KVM's x2APIC API takes (APIC ID bits
     * 31:8 in the high dword, bits 31:8), as QEMU does before routing: only when bits 11:5 are
     * non-zero, bit 4 is clear and the high dword is still zero. Anything else is returned as is.
     */
    public static long moveExtendedDestination(long address) {
        if ((address & EXT_DEST_MASK) == 0 || (address & 0x10) != 0 || (address >>> 32) != 0) {
            return address;
        }
        long extended = (address & EXT_DEST_MASK) >>> 5; // destination bits 14:8
        return (address & ~EXT_DEST_MASK) | (extended << 8 << 32);
    }

    /** The MSI address for physical-mode delivery to {@code apicId} (up to 15 bits, the upper 7 in bits 11:5). */
    public static long forDestination(int apicId, boolean logical) {
        return 0xfee00000L | ((long) (apicId & 0xff) << 12) | ((long) ((apicId >> 8) & 0x7f) << 5) | (logical ? 4 : 0);
    }
}
