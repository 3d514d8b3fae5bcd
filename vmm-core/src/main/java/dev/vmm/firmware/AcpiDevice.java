package dev.vmm.firmware;

/**
 * A device's part of the ACPI tables, handed over when the machine attaches the device, so the
 * tables describe what the board really has (as Firecracker's device manager collects them).
 */
public sealed interface AcpiDevice {
    /** An I/O APIC: a MADT entry with its id, MMIO address and first GSI. */
    record IoApic(int id, long address, int gsiBase) implements AcpiDevice {
    }

    /**
     * The HW-reduced ACPI sleep control and status registers, each a byte-wide I/O port, in the
     * FADT: writing S5 to the control register is how the OS powers off.
     */
    record SleepRegisters(int controlPort, int statusPort) implements AcpiDevice {
    }
}
