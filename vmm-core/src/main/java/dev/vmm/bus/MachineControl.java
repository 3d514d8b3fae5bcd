package dev.vmm.bus;

/**
 * What a device may ask of the machine as a whole: power off with an exit status (debug-exit,
 * ACPI power-off) or reset. Implemented by the VM; devices get it at construction.
 */
public interface MachineControl {
    void powerOff(int exitStatus);

    void reset();
}
