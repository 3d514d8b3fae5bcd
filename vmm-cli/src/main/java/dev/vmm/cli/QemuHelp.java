package dev.vmm.cli;

import dev.vmm.cpu.CpuModelSpec;

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
            out.println("Available CPUs:");
            for (String m : CpuModelSpec.MODELS) out.println("  " + m);
            out.println();
            out.println("Recognized CPUID flags and PV switches:");
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
