package dev.vmm.bus;

/**
 * A device reached through x86 port I/O. Devices never see KVM: the run loop decodes the
 * {@code KVM_EXIT_IO} and calls these with the port, the access size (1, 2 or 4 bytes) and,
 * for writes, the value zero-extended to an int.
 */
public interface PioDevice {
    /** @return the value read, in the low {@code size} bytes */
    int read(int port, int size);

    void write(int port, int size, int value);
}
