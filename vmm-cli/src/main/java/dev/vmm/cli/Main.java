package dev.vmm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code vmm} command. Every user error ends as one line on stderr
 * ("vmm: ...") and a non-zero status; stack traces are for bugs only (VMM_DEBUG=1 shows them).
 */
@Command(name = "vmm", mixinStandardHelpOptions = true, version = "vmm 0.1.0",
        description = "A miniature virtual machine monitor on Linux KVM.",
        subcommands = {RunCommand.class, InitramfsCommand.class, ExtractVmlinuxCommand.class, FeaturesCommand.class, CpuidCommand.class,
                DoctorCommand.class, TestCommand.class})
public final class Main implements Runnable {
    /** Status for invalid command lines and inputs, as most Unix tools use. */
    public static final int USAGE_STATUS = 2;

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns the exit status (tests call this without exiting). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("vmm: " + ex.getMessage());
            return USAGE_STATUS;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UserError) {
                System.err.println("vmm: " + ex.getMessage());
                return ((UserError) ex).status();
            }
            if (System.getenv("VMM_DEBUG") != null) {
                ex.printStackTrace();
            }
            System.err.println("vmm: internal error: " + ex);
            return 1;
        });
        return cli.execute(args);
    }
}
