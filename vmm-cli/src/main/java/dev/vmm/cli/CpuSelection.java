package dev.vmm.cli;

import dev.vmm.cpu.CpuModel;
import dev.vmm.cpu.CpuModelException;
import dev.vmm.cpu.CpuModelSpec;
import dev.vmm.cpu.CpuidEntry;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.cpu.X86CpuDefinitions;
import dev.vmm.kvm.Kvm;
import dev.vmm.kvm.KvmException;

import java.io.PrintStream;
import java.util.List;

/**
 * The {@code --cpu} and {@code --machine} pair shared by {@code features} and {@code cpuid}: both
 * are checked before /dev/kvm is opened, so a typo never needs KVM to be reported.
 */
final class CpuSelection {
    final CpuModelSpec spec;
    final IrqchipMode irqchip;

    private CpuSelection(CpuModelSpec spec, IrqchipMode irqchip) {
        this.spec = spec;
        this.irqchip = irqchip;
    }

    /** Syntax only: model name, option names and values, -machine value. */
    static CpuSelection parse(String cpu, List<String> machine) {
        IrqchipMode mode = MachineOption.parseAll(machine).irqchip();
        try {
            return new CpuSelection(CpuModelSpec.parse(forMachine(cpu, machine)), mode);
        } catch (CpuModelException e) {
            throw new UserError(e.getMessage());
        }
    }

    /**
     * The {@code -cpu} text as the machine type resolves it: QEMU 7.2's microvm takes the latest
     * version of a bare family name ("IvyBridge" is IvyBridge-v2 there), pc and q35 take -v1.
     */
    static String forMachine(String cpu, List<String> machine) {
        if (cpu == null || !MachineOption.parseAll(machine).type().equals("microvm")) return cpu;
        return X86CpuDefinitions.withLatestVersion(cpu);
    }

    /** The host's KVM_GET_SUPPORTED_CPUID; KVM problems are one-line errors with status 1. */
    static List<CpuidEntry> hostCpuid() {
        try (Kvm kvm = Kvm.open()) {
            return kvm.supportedCpuid();
        } catch (KvmException e) {
            throw new UserError(e.getMessage(), 1);
        }
    }

    /** Resolves against the host as {@code run} does; QEMU's warnings go to {@code warnings} as they are. */
    CpuModel resolve(List<CpuidEntry> host, PrintStream warnings) {
        CpuModel model;
        try {
            model = CpuModel.resolve(spec, host, irqchip);
        } catch (CpuModelException e) {
            e.warnings().forEach(warnings::println);
            throw new UserError(e.getMessage(), 1);
        }
        model.warnings().forEach(warnings::println);
        return model;
    }
}
