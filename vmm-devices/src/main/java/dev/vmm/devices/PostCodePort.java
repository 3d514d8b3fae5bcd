package dev.vmm.devices;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.bus.PioDevice;

/**
 * Port 0x80, the POST-code port that Linux (without kvm-nopiodelay) writes to as an I/O delay.
 * Accepted and ignored silently so it does not flood the debug log.
 */
public final class PostCodePort implements PioDevice {
    public static final int PORT = PlatformLayout.POST_CODE_PORT;

    @Override
    public int read(int port, int size) {
        return 0xffffffff;
    }

    @Override
    public void write(int port, int size, int value) {
    }
}
