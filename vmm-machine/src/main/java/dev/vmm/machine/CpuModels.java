package dev.vmm.machine;

import dev.vmm.cpu.CpuModel;
import dev.vmm.cpu.CpuModelException;
import dev.vmm.cpu.CpuidComposer;
import dev.vmm.cpu.CpuidEntry;
import dev.vmm.vm.Vm;

import java.io.PrintStream;
import java.util.List;

/**
 * Applies a {@code -cpu} string to a VM: resolves it against what this host's KVM supports,
 * prints QEMU's warnings, gives every vCPU its CPUID (with its own APIC ID) and switches on
 * PV-feature enforcement when asked.
 */
final class CpuModels {
    /** KVM_CAP_ENFORCE_PV_FEATURE_CPUID. */
    private static final int CAP_ENFORCE_PV_FEATURE_CPUID = 190;

    private CpuModels() {
    }

    static CpuModel resolve(String spec, Vm vm, PrintStream warnings) {
        List<CpuidEntry> host = vm.kvm().supportedCpuid();
        CpuModel model;
        try {
            model = CpuModel.resolve(spec, host, vm.irqchip());
        } catch (CpuModelException e) {
            e.warnings().forEach(warnings::println);
            throw new MachineException(e.getMessage());
        }
        model.warnings().forEach(warnings::println);
        List<CpuidEntry> composed = CpuidComposer.compose(host, model, vm.cpuCount());
        vm.setCpuid(i -> CpuidComposer.forVcpu(composed, i));
        if (model.enforcePvCpuid()) {
            if (vm.kvm().checkExtension(CAP_ENFORCE_PV_FEATURE_CPUID) <= 0) {
                throw new MachineException("kvm-pv-enforce-cpuid needs KVM_CAP_ENFORCE_PV_FEATURE_CPUID,"
                        + " which this host's KVM lacks (Linux 5.10 or later has it)");
            }
            for (int i = 0; i < vm.cpuCount(); i++) {
                vm.vcpu(i).enableCap(CAP_ENFORCE_PV_FEATURE_CPUID, 1);
            }
        }
        return model;
    }

    /** Parses without a VM, for the error path before KVM is touched. */
    static void checkSyntax(String spec) {
        try {
            dev.vmm.cpu.CpuModelSpec.parse(spec);
        } catch (CpuModelException e) {
            throw new MachineException(e.getMessage());
        }
    }

}
