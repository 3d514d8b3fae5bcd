package dev.vmm.devices;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.bus.MachineControl;
import dev.vmm.bus.PioDevice;

/**
 * QEMU's {@code isa-debug-exit} (iobase 0xf4, iosize 4): a guest ends the VM by writing its
 * status. This VMM exits with the written value itself; QEMU exits with {@code (value << 1) | 1},
 * which the CLI reproduces with {@code --exit-code qemu}.
 */
public final class DebugExit implements PioDevice {
    public static final int PORT = PlatformLayout.DEBUG_EXIT_PORT;
    public static final int SIZE = PlatformLayout.DEBUG_EXIT_SIZE;

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
