package dev.vmm.devices;

import dev.vmm.bus.MachineControl;
import dev.vmm.bus.PioDevice;

/**
 * The HW-reduced ACPI sleep control and status registers the FADT points to (one byte each).
 * An OS powers off by writing SLP_TYP (bits 4:2, the first value of the DSDT's {@code _S5}
 * package, 0 here) with SLP_EN (bit 5) to the control register; that ends the VM with status 0.
 * Other sleep states are not offered, so other writes are ignored. Status reads 0x80 (WAK_STS),
 * which an OS polling for wake-up after a sleep would see at once.
 */
public final class AcpiSleepControl implements PioDevice {
    private static final int SLP_EN = 1 << 5;
    private static final int S5_SLP_TYP = 0;
    private static final int WAK_STS = 0x80;

    private final int controlPort;
    private final MachineControl machine;

    public AcpiSleepControl(int controlPort, MachineControl machine) {
        this.controlPort = controlPort;
        this.machine = machine;
    }

    @Override
    public int read(int port, int size) {
        return port == controlPort ? 0 : WAK_STS;
    }

    @Override
    public void write(int port, int size, int value) {
        if (port == controlPort && (value & SLP_EN) != 0 && ((value >> 2) & 7) == S5_SLP_TYP) {
            machine.powerOff(0);
        }
    }
}
