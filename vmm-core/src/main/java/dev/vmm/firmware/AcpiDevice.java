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

    /**
     * A 16550 UART on the ISA bus: a PNP0501 device in the DSDT with its I/O ports and IRQ, which
     * is how an OS on a HW-reduced ACPI board (no legacy PIC, so no ISA IRQs set up by default)
     * learns the IRQ's GSI and routes it through the I/O APIC.
     */
    record IsaSerialPort(int ioBase, int ioLength, int irq) implements AcpiDevice {
    }
}
