package dev.vmm.cli;

import dev.vmm.cpu.IrqchipMode;
import picocli.CommandLine.Option;

/** The {@code --cpu} and {@code --machine} options, shared by run, features and cpuid (QEMU spellings too). */
final class CpuOptions {
    @Option(names = {"--cpu", "-cpu"}, paramLabel = "MODEL[,opts]", defaultValue = "host",
            description = "CPU model, PV feature switches and x86 CPUID flags, QEMU spelling (default: ${DEFAULT-VALUE})")
    String cpu;

    @Option(names = {"--machine", "-machine", "-M"}, paramLabel = "kernel-irqchip=on|split",
            description = "where the interrupt controllers live: on = all in KVM (default), split = LAPICs in KVM,"
                    + " IOAPIC in vmm (needed for kvm-msi-ext-dest-id)")
    String machine;

    IrqchipMode irqchip() {
        return MachineOption.parse(machine);
    }
}
