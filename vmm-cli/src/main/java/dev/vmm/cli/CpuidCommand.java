package dev.vmm.cli;

import dev.vmm.cpu.CpuModel;
import dev.vmm.cpu.CpuidComposer;
import dev.vmm.cpu.CpuidEntry;
import dev.vmm.cpu.CpuidReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code vmm cpuid}: the CPUID leaves one vCPU of the guest will see, KVM leaves decoded. */
@Command(name = "cpuid", mixinStandardHelpOptions = true,
        description = {"Print the CPUID leaves the guest will see (what run gives KVM_SET_CPUID2),",
                "with leaves 0x40000000/0x40000001 decoded bit by bit."})
public final class CpuidCommand implements Callable<Integer> {
    @Mixin
    CpuOptions cpuOptions;

    @Option(names = "--vcpu", paramLabel = "N", defaultValue = "0",
            description = "vCPU index (its APIC ID appears in leaves 0x1, 0xb, 0x1f; default: ${DEFAULT-VALUE})")
    String vcpu;

    @Override
    public Integer call() {
        CpuSelection sel = CpuSelection.parse(cpuOptions.cpu, cpuOptions.machine);
        int index = parseVcpu(vcpu);
        List<CpuidEntry> host = CpuSelection.hostCpuid();
        CpuModel model = sel.resolve(host, System.err);
        List<CpuidEntry> composed = CpuidComposer.compose(host, model);
        System.out.print(CpuidReport.render(CpuidComposer.forVcpu(composed, index)));
        System.out.flush();
        return 0;
    }

    /** vCPU indices are APIC IDs here; KVM's x2APIC IDs are 32-bit, but no VM has more than 4096 vCPUs. */
    static int parseVcpu(String text) {
        int n;
        try {
            n = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new UserError("invalid --vcpu '" + text + "': expected a vCPU index such as 0 or 3");
        }
        if (n < 0 || n > 4095) {
            throw new UserError("invalid --vcpu " + n + ": expected 0 to 4095");
        }
        return n;
    }
}
