package dev.vmm.cli;

import dev.vmm.cpu.CpuModelSpec;
import dev.vmm.cpu.X86CpuDefinitions;

import java.io.PrintStream;

/**
 * QEMU's {@code -cpu help} (or {@code ?}) and {@code -machine help}: the lists of what vmm accepts,
 * printed instead of booting, as QEMU does (harness scripts probe them).
 */
final class QemuHelp {
    private QemuHelp() {
    }

    static boolean printIfAsked(CpuOptions options, PrintStream out) {
        boolean cpuHelp = isHelp(options.cpu);
        boolean machineHelp = options.machine.stream().anyMatch(QemuHelp::isHelp);
        if (cpuHelp) {
            // QEMU 7.2's layout ("x86 %-20s  %s"), so scripts that grep it for a model keep working.
            out.println("Available CPUs:");
            X86CpuDefinitions.helpLines().forEach((name, desc) -> out.println(String.format("x86 %-20s  %s", name, desc)));
            out.println(String.format("x86 %-20s  %s", "host", "processor with all supported host features "));
            out.println(String.format("x86 %-20s  %s", "max", "Enables all features supported by the accelerator in the current host"));
            out.println();
            out.println("Recognized CPUID flags, PV switches and properties:");
            out.println("  " + String.join(" ", CpuModelSpec.allOptionNames()));
        }
        if (machineHelp) {
            out.println("Supported machines are (all are vmm's one board):");
            for (String t : MachineOption.TYPES) out.println("  " + t);
        }
        return cpuHelp || machineHelp;
    }

    private static boolean isHelp(String value) {
        return value != null && (value.equals("help") || value.equals("?"));
    }
}
