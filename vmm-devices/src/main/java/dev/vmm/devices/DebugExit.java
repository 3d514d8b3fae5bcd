package dev.vmm.devices;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.bus.MachineControl;
import dev.vmm.bus.PioDevice;

/**
 * QEMU's {@code isa-debug-exit}: a guest ends the VM by writing its status to any port of the
 * device's range (placed by {@code dev.vmm.machine.DebugExitPorts}). This VMM exits with the written
 * value itself; QEMU exits with {@code (value << 1) | 1}, which the CLI reproduces with
 * {@code --exit-code qemu} and {@code vmm qemu}.
 */
public final class DebugExit implements PioDevice {
    private final MachineControl machine;

    public DebugExit(MachineControl machine) {
        this.machine = machine;
    }

    @Override
    public int read(int port, int size) {
        return 0xffffffff;
    }

    @Override
    public void write(int port, int size, int value) {
        machine.powerOff(value);
    }
}
