package dev.vmm.memory;

/** A guest-physical access that does not fall entirely inside guest RAM. */
public class GuestMemoryException extends IndexOutOfBoundsException {
    private final long address;
    private final long length;

    public GuestMemoryException(long address, long length) {
        super("guest physical access at 0x" + Long.toHexString(address) + " of " + length
                + " byte(s) is outside guest RAM");
        this.address = address;
        this.length = length;
    }

    public long address() { return address; }
    public long length() { return length; }
}
