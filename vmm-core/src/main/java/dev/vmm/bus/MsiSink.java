package dev.vmm.bus;

/** Where a device (or the user-space IOAPIC) sends a message-signalled interrupt: address and data as on the bus. */
public interface MsiSink {
    void signal(long address, int data);
}
