package dev.vmm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vmm qemu ARGS}: vmm as {@code qemu-system-x86_64} for the command lines test harnesses
 * write ({@code -enable-kvm -M q35 -nographic -kernel K -device isa-debug-exit,...}). It is
 * {@code vmm run} with QEMU's starting point: no isa-debug-exit unless {@code -device} adds one,
 * QEMU's exit status ({@code (value << 1) | 1} after isa-debug-exit, 0 after a power-off), and a repeated
 * option's last value wins, as in QEMU. The {@code scripts/qemu-system-x86_64} link runs this.
 */
@Command(name = "qemu", description = {
        "Behave as qemu-system-x86_64 for the command lines test harnesses write (vmm run with QEMU's exit status).",
        "Point a harness's QEMU variable at scripts/qemu-system-x86_64, which runs this command."})
public final class QemuCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "QEMU-ARGS", description = "The QEMU command line, without the program name.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (args.size() == 1 && (args.get(0).equals("-version") || args.get(0).equals("--version"))) {
            // Harnesses print or parse this; vmm says what it is instead of pretending to be a QEMU version.
            System.out.println("vmm 0.1.0 (qemu-system-x86_64 command-line subset for KVM test guests)");
            return 0;
        }
        if (args.isEmpty() || args.contains("-h") || args.contains("-help") || args.contains("--help")) {
            new CommandLine(new RunCommand()).usage(System.out);
            return args.isEmpty() ? Main.USAGE_STATUS : 0;
        }
        RunCommand run = new RunCommand();
        run.qemuDefaults = true;
        List<String> full = new ArrayList<>(List.of("--exit-code", "qemu"));
        full.addAll(args);
        CommandLine cli = Main.configure(new CommandLine(run));
        cli.setOverwrittenOptionsAllowed(true); // QEMU: the last -m, -smp, -cpu ... wins
        return cli.execute(full.toArray(String[]::new));
    }
}
