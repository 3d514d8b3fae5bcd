package dev.vmm.cli;

import dev.vmm.machine.DebugExitPorts;

import java.util.Locale;

/**
 * QEMU's {@code -device DRIVER,prop=value,...} for the one device vmm can add on request:
 * {@code isa-debug-exit} with {@code iobase} and {@code iosize} (QEMU's defaults 0x501 and 2 when
 * left out; {@code id=} is accepted). Every other driver is a one-line error naming it.
 */
final class DeviceOption {
    private DeviceOption() {
    }

    static DebugExitPorts parse(String text) {
        String[] parts = text.split(",", -1);
        String driver = parts[0].trim();
        if (driver.startsWith("driver=")) driver = driver.substring(7);
        if (!driver.equals("isa-debug-exit")) {
            throw new UserError("-device " + driver + " is not supported (vmm can add only isa-debug-exit)");
        }
        int iobase = DebugExitPorts.QEMU_DEFAULT.iobase();
        int iosize = DebugExitPorts.QEMU_DEFAULT.iosize();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq);
            String value = eq < 0 ? "" : p.substring(eq + 1);
            switch (key) {
                case "iobase" -> iobase = number(text, key, value);
                case "iosize" -> iosize = number(text, key, value);
                case "id" -> { }
                default -> throw new UserError("-device " + text + ": isa-debug-exit has no property '" + key
                        + "' (iobase, iosize)");
            }
        }
        try {
            return new DebugExitPorts(iobase, iosize);
        } catch (IllegalArgumentException e) {
            throw new UserError("-device " + text + ": " + e.getMessage());
        }
    }

    /** QEMU reads integer properties with base 0: 0x hex, a leading 0 octal, else decimal. */
    static int number(String text, String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            long n;
            if (v.startsWith("0x")) n = Long.parseLong(v.substring(2), 16);
            else if (v.length() > 1 && v.startsWith("0")) n = Long.parseLong(v.substring(1), 8);
            else n = Long.parseLong(v);
            if (n < 0 || n > 0xffffffffL) throw new NumberFormatException();
            return (int) Math.min(n, Integer.MAX_VALUE);
        } catch (NumberFormatException e) {
            throw new UserError("-device " + text + ": " + key + " expects a number, not '" + value + "'");
        }
    }
}
