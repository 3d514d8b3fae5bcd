package dev.vmm.bus;

/**
 * A device reached through memory-mapped I/O. {@code offset} is relative to the base the device
 * was registered at; {@code size} is 1, 2, 4 or 8 bytes; values are little-endian in a long.
 */
public interface MmioDevice {
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
