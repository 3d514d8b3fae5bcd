package dev.vmm.devices;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.bus.MachineControl;
import dev.vmm.bus.PioDevice;

/**
 * Just enough of the i8042 keyboard controller for the classic reset: writing command 0xFE
 * (pulse the reset line) to port 0x64 resets the machine. Port 0x64 reads 0 (both buffers
 * empty, so a guest polling before it writes a command goes ahead); the data port 0x60 reads 0
 * and ignores writes. There is no keyboard behind it.
 */
public final class I8042 implements PioDevice {
    public static final int DATA_PORT = PlatformLayout.I8042_DATA_PORT;
    public static final int COMMAND_PORT = PlatformLayout.I8042_COMMAND_PORT;
    public static final int CMD_RESET = 0xFE;

    private final MachineControl machine;

    public I8042(MachineControl machine) {
        this.machine = machine;
    }

    @Override
    public int read(int port, int size) {
        return 0;
    }

    @Override
    public void write(int port, int size, int value) {
        if (port == COMMAND_PORT && (value & 0xff) == CMD_RESET) {
            machine.reset();
        }
    }
}
