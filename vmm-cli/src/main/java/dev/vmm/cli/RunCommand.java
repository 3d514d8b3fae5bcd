package dev.vmm.cli;

import dev.vmm.machine.MachineConfig;
import dev.vmm.machine.PcMachine;
import dev.vmm.vm.VmOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code vmm run}: boots a kernel and exits with the guest's status. QEMU's single-dash spellings
 * are accepted so that command lines written for QEMU keep working.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Boot a kernel (PVH ELF, Linux bzImage/vmlinux or multiboot) and exit with the guest's status.",
                "The exit status is the value the guest wrote to isa-debug-exit (port 0xf4);",
                "--exit-code qemu gives QEMU's (value << 1) | 1 instead. A VM failure (triple fault,",
                "KVM internal error) exits with " + VmOutcome.FAILURE_STATUS + "."})
public final class RunCommand implements Callable<Integer> {
    enum ExitCodeStyle { vmm, qemu }

    @Option(names = {"--kernel", "-kernel"}, required = true, paramLabel = "FILE", description = "kernel image")
    Path kernel;

    @Option(names = {"--append", "-append"}, paramLabel = "STR",
            description = "kernel command line (Linux default: " + dev.vmm.boot.KernelLoader.LINUX_DEFAULT_CMDLINE + ")")
    String append;

    @Option(names = {"--initrd", "-initrd"}, paramLabel = "FILE", description = "initial RAM disk (Linux kernels)")
    Path initrd;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "128M",
            description = "guest RAM, MiB unless suffixed K/M/G/T (default: ${DEFAULT-VALUE})")
    String memory;

    @Option(names = {"--smp", "-smp"}, paramLabel = "N", defaultValue = "1", description = "number of vCPUs")
    String smp;

    @Option(names = {"--cpu", "-cpu"}, paramLabel = "MODEL[,opts]", defaultValue = "host",
            description = "CPU model and PV feature switches, QEMU spelling (default: ${DEFAULT-VALUE})")
    String cpu;

    @Option(names = {"--machine", "-machine", "-M"}, paramLabel = "kernel-irqchip=on|split",
            description = "where the interrupt controllers live: on = all in KVM (default), split = LAPICs in KVM,"
                    + " IOAPIC in vmm (needed for kvm-msi-ext-dest-id)")
    String machine;

    @Option(names = {"--exit-code"}, paramLabel = "vmm|qemu", defaultValue = "vmm",
            description = "vmm: exit with the guest's value; qemu: (value << 1) | 1")
    ExitCodeStyle exitCode;

    @Option(names = {"--timeout"}, paramLabel = "SECONDS", description = "stop the guest after this long (exit status "
            + VmOutcome.FAILURE_STATUS + ")")
    Integer timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        MachineConfig config = toConfig();
        // Serial output goes to the real stdout unbuffered by Java's System.out line discipline.
        OutputStream console = new FileOutputStream(FileDescriptor.out);
        VmOutcome outcome;
        try (PcMachine machine = PcMachine.create(config, console)) {
            machine.forwardStdin();
            outcome = machine.run(timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds));
        } catch (dev.vmm.machine.MachineException e) {
            throw new UserError(e.getMessage(), 1);
        }
        if (!outcome.isPowerOff()) {
            System.err.print(outcome.report().endsWith("\n") ? outcome.report() : outcome.report() + "\n");
            return outcome.exitStatus();
        }
        return exitCode == ExitCodeStyle.qemu ? (outcome.exitStatus() << 1) | 1 : outcome.exitStatus();
    }

    MachineConfig toConfig() {
        if (!Files.exists(kernel)) {
            throw new UserError("kernel '" + kernel + "' does not exist");
        }
        if (!Files.isReadable(kernel) || Files.isDirectory(kernel)) {
            throw new UserError("kernel '" + kernel + "' is not a readable file");
        }
        if (initrd != null && (!Files.isRegularFile(initrd) || !Files.isReadable(initrd))) {
            throw new UserError("initrd '" + initrd + "' does not exist or is not a readable file");
        }
        long ram = MemorySize.parse(memory);
        int cpus;
        try {
            cpus = Integer.parseInt(smp.startsWith("cpus=") ? smp.substring(5) : smp.split(",")[0]);
        } catch (NumberFormatException e) {
            throw new UserError("invalid --smp '" + smp + "': expected a number of vCPUs");
        }
        try {
            MachineConfig config = MachineConfig.validated(kernel, append, ram, cpus, cpu, MachineOption.parse(machine));
            return initrd == null ? config : config.withInitrd(initrd);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
