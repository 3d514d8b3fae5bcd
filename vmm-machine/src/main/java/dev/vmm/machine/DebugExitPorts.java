package dev.vmm.machine;

import dev.vmm.platform.PlatformLayout;

/**
 * Where an {@link dev.vmm.devices.DebugExit} device sits: QEMU's {@code -device
 * isa-debug-exit,iobase=B,iosize=S}. QEMU's own defaults (hw/misc/debugexit.c) are iobase 0x501 and
 * iosize 2; test harnesses mostly ask for 0xf4/4, which is also where {@code vmm run} puts one
 * unless told otherwise.
 */
public record DebugExitPorts(int iobase, int iosize) {
    /** What {@code vmm run} gives every guest when no -device isa-debug-exit is named. */
    public static final DebugExitPorts VMM_DEFAULT =
            new DebugExitPorts(PlatformLayout.DEBUG_EXIT_PORT, PlatformLayout.DEBUG_EXIT_SIZE);
    /** QEMU's property defaults, for a bare {@code -device isa-debug-exit}. */
    public static final DebugExitPorts QEMU_DEFAULT = new DebugExitPorts(0x501, 2);

    public DebugExitPorts {
        if (iosize < 1 || iobase < 0 || (long) iobase + iosize > 0x10000) {
            throw new IllegalArgumentException(String.format(
                    "isa-debug-exit iobase=0x%x,iosize=0x%x does not fit the 64 KiB I/O port space", iobase, iosize));
        }
    }

    /** The port range the board attaches the device at. */
    public PlatformLayout.PortRange range() {
        return new PlatformLayout.PortRange(PlatformLayout.DEBUG_EXIT.device(), iobase, iosize);
    }

    @Override
    public String toString() {
        return String.format("isa-debug-exit,iobase=0x%x,iosize=0x%x", iobase, iosize);
    }
}
