package dev.vmm.cli;

import dev.vmm.cpu.IrqchipMode;

/**
 * {@code --machine}/{@code -machine} for the inspection commands: only {@code kernel-irqchip=on|split|off}
 * is understood (comma-separated, last one wins); anything else is a one-line usage error.
 */
final class MachineOption {
    private MachineOption() {
    }

    static IrqchipMode parse(String text) {
        if (text == null) {
            return IrqchipMode.ON;
        }
        IrqchipMode mode = IrqchipMode.ON;
        for (String raw : text.split(",", -1)) {
            String tok = raw.trim();
            if (tok.isEmpty()) continue;
            int eq = tok.indexOf('=');
            String key = eq < 0 ? tok : tok.substring(0, eq);
            if (!key.equals("kernel-irqchip") && !key.equals("kernel_irqchip")) {
                throw new UserError("unsupported -machine option '" + tok + "' (only kernel-irqchip=on|split|off)");
            }
            // QEMU treats a bare "kernel-irqchip" as "on".
            String value = eq < 0 ? "on" : tok.substring(eq + 1);
            try {
                mode = IrqchipMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage() + ", not '" + value + "'");
            }
        }
        return mode;
    }
}
