package dev.vmm.cli;

import dev.vmm.cpu.CpuModel;
import dev.vmm.cpu.CpuidEntry;
import dev.vmm.cpu.FeatureTable;
import dev.vmm.cpu.X86FeatureTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code vmm features}: every KVM PV feature, what this host offers and what a -cpu string turns on. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = {"List every KVM paravirtual feature: name, CPUID bit, host support, default on named",
                "models, state for the given --cpu, Linux version that added it, description.",
                "With --x86: the ordinary x86 CPUID flags instead (QEMU name, leaf, register, bit, host support,",
                "state for the given --cpu).",
                "CPU-model warnings go to stderr in QEMU's words."})
public final class FeaturesCommand implements Callable<Integer> {
    @Mixin
    CpuOptions cpuOptions;

    @Option(names = "--json", description = "print a JSON array (one object per feature) for scripts")
    boolean json;

    @Option(names = "--x86", description = "list the x86 CPUID flags (cx16, xsave, avx2, nx, ...) instead of the PV features")
    boolean x86;

    @Override
    public Integer call() {
        CpuSelection sel = CpuSelection.parse(cpuOptions.cpu, cpuOptions.machine);
        List<CpuidEntry> host = CpuSelection.hostCpuid();
        CpuModel model = sel.resolve(host, System.err);
        if (x86) {
            X86FeatureTable flags = X86FeatureTable.of(model);
            System.out.print(json ? flags.toJson() + "\n" : flags.toText());
            System.out.flush();
            return 0;
        }
        FeatureTable table = FeatureTable.of(host, model);
        if (json) {
            System.out.println(table.toJson());
        } else {
            System.out.print(table.toText());
        }
        System.out.flush();
        return 0;
    }
}
