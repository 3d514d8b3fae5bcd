package dev.vmm.cli;

import dev.vmm.cpu.IrqchipMode;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The {@code --cpu} and {@code --machine} options, shared by run, features and cpuid (QEMU spellings too). */
final class CpuOptions {
    @Option(names = {"--cpu", "-cpu"}, paramLabel = "MODEL[,opts]", defaultValue = "host",
            description = "CPU model, PV feature switches and x86 CPUID flags, QEMU spelling (default: ${DEFAULT-VALUE})")
    String cpu;

    // Repeatable, as in QEMU, whose -machine options merge (a harness often adds accel=kvm to its own -M).
    @Option(names = {"--machine", "-machine", "-M"}, paramLabel = "[TYPE,]kernel-irqchip=on|split",
            description = "Machine type (pc, q35 and microvm all give vmm's one board), accel=kvm, and where the"
                    + " interrupt controllers live: on = all in KVM (default), split = LAPICs in KVM, IOAPIC in vmm"
                    + " (needed for kvm-msi-ext-dest-id).")
    List<String> machine = new ArrayList<>();

    MachineOption machineOption() {
        return MachineOption.parseAll(machine);
    }

    IrqchipMode irqchip() {
        return machineOption().irqchip();
    }
}
