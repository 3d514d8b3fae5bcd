package dev.vmm.cli;

import dev.vmm.cpu.IrqchipMode;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code -machine}/{@code -M} as QEMU reads it: an optional machine type first (or {@code type=}),
 * then properties, comma-separated; repeated options merge, the last value of a key wins.
 *
 * <p>vmm has one board (a PC without PCI: COM1, i8042, fw_cfg, ACPI, the in-kernel or split
 * irqchip), and that is what {@code pc}, {@code q35} and {@code microvm} (and QEMU's versioned
 * {@code pc-i440fx-*}/{@code pc-q35-*}) all get. Of the properties, {@code accel} must name KVM
 * first, {@code kernel-irqchip} is honoured, and a few properties that only switch off what vmm
 * never has are accepted with exactly those values; anything else is a one-line error naming it.
 */
record MachineOption(String type, IrqchipMode irqchip) {
    /** The machine types accepted, all mapped to vmm's single board. */
    static final List<String> TYPES = List.of("pc", "q35", "microvm");

    /** Properties that only turn off what vmm's board never has; the value listed is the only one accepted. */
    private static final Map<String, List<String>> ABSENT_ON_VMM = Map.of(
            "usb", List.of("off", "false", "no"),
            "vmport", List.of("off", "false", "no"),
            "smm", List.of("off", "false", "no"),
            "hpet", List.of("off", "false", "no"),
            "rtc", List.of("off", "false", "no"),
            "graphics", List.of("off", "false", "no"),
            "x-option-roms", List.of("off", "false", "no"),
            "ioapic2", List.of("off", "false", "no"),
            "isa-serial", List.of("on", "true", "yes"),
            "acpi", List.of("on", "true", "yes", "auto"));

    /** Only the irqchip, for the inspection commands (features, cpuid). */
    static IrqchipMode parse(String text) {
        return parseAll(text == null ? List.of() : List.of(text)).irqchip();
    }

    static MachineOption parseAll(List<String> texts) {
        String type = "pc";
        IrqchipMode mode = IrqchipMode.ON;
        for (String text : texts) {
            String[] parts = text.split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                String tok = parts[i].trim();
                if (tok.isEmpty()) continue;
                int eq = tok.indexOf('=');
                if (eq < 0 && i == 0 && !tok.equals("kernel-irqchip") && !tok.equals("kernel_irqchip")) {
                    type = machineType(tok); // QEMU's implied key: a bare first value is type=
                    continue;
                }
                String key = (eq < 0 ? tok : tok.substring(0, eq)).replace('_', '-');
                // QEMU treats a bare boolean property as "on".
                String value = eq < 0 ? "on" : tok.substring(eq + 1);
                switch (key) {
                    case "type" -> type = machineType(value);
                    case "accel" -> accel("-machine accel=" + value, value);
                    case "kernel-irqchip" -> {
                        try {
                            mode = IrqchipMode.parse(value);
                        } catch (IllegalArgumentException e) {
                            throw new UserError(e.getMessage() + ", not '" + value + "'");
                        }
                    }
                    default -> {
                        List<String> accepted = ABSENT_ON_VMM.get(key);
                        if (accepted == null) {
                            throw new UserError("unsupported -machine option '" + tok
                                    + "' (vmm understands type, accel=kvm and kernel-irqchip=on|split)");
                        }
                        if (!accepted.contains(value.toLowerCase(Locale.ROOT))) {
                            throw new UserError("unsupported -machine option '" + tok + "': vmm's board can only give "
                                    + key + "=" + accepted.get(0));
                        }
                    }
                }
            }
        }
        return new MachineOption(type, mode);
    }

    /**
     * QEMU's accelerator list ({@code kvm}, {@code kvm:tcg}): the first one QEMU can use wins, and
     * vmm can only be KVM, so KVM must come first.
     */
    static void accel(String option, String value) {
        String first = value.split(":")[0].trim().toLowerCase(Locale.ROOT);
        if (!first.equals("kvm")) {
            throw new UserError(option + ": vmm runs guests on KVM only (accel=kvm), not '" + first + "'");
        }
    }

    private static String machineType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("pc") || n.equals("q35") || n.equals("microvm")) return n;
        if (n.startsWith("pc-i440fx-")) return "pc";
        if (n.startsWith("pc-q35-")) return "q35";
        throw new UserError("unsupported machine type '" + name + "' (vmm's one board answers to " + String.join(", ", TYPES) + ")");
    }
}
