package dev.vmm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * Entry point of the {@code vmm} command. Every user error ends as one line on stderr
 * ("vmm: ...") and a non-zero status; stack traces are for bugs only (VMM_DEBUG=1 shows them).
 */
@Command(name = "vmm", mixinStandardHelpOptions = true, version = "vmm 0.1.0",
        description = "A miniature virtual machine monitor on Linux KVM.")
public final class Main implements Runnable {
    /**
     * The commands, in the order help lists them. They are added to the command line in
     * {@link #commandLine} rather than named in the annotation, as picocli builds a command's model
     * by reflection (its options, mixins, converters: about a fifth of {@code vmm run}'s start)
     * for every command it is given.
     */
    static final List<String> COMMANDS = List.of("run", "qemu", "initramfs", "extract-vmlinux", "features", "cpuid",
            "doctor", "test", "help");

    /** Status for invalid command lines and inputs, as most Unix tools use. */
    public static final int USAGE_STATUS = 2;

    /** The command line this object was parsed by: its subcommands' help is already tidied. */
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Bare {@code vmm}: a command is missing, which is a usage error like any other. */
    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new UserError("a command is missing: give one of the commands above (vmm help COMMAND tells more)");
    }

    public static void main(String[] args) {
        dev.vmm.startup.StartupClock.mark("main");
        System.exit(execute(args));
    }

    /** Runs a command line and returns the exit status (tests call this without exiting). */
    public static int execute(String... args) {
        return commandLine(args).execute(args);
    }

    /**
     * The command line that parses {@code args}: with only the command they name when they start
     * with one, which is all a run needs; with every command otherwise, which bare {@code vmm},
     * {@code vmm help}, {@code --help} and a mistyped command (its suggestions) need.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cli = configure(new CommandLine(new Main()));
        boolean one = args.length > 0 && !args[0].equals("help") && COMMANDS.contains(args[0]);
        for (String name : one ? List.of(args[0]) : COMMANDS) {
            cli.addSubcommand(name, command(name));
        }
        tidyHelp(cli);
        CommandLine qemu = cli.getSubcommands().get("qemu");
        if (qemu != null) {
            // vmm qemu takes QEMU's whole command line as it is, options included
            qemu.setUnmatchedOptionsArePositionalParams(true);
        }
        return cli;
    }

    /** A new object of the command {@code name} (one of {@link #COMMANDS}). */
    private static Object command(String name) {
        return switch (name) {
            case "run" -> new RunCommand();
            case "qemu" -> new QemuCommand();
            case "initramfs" -> new InitramfsCommand();
            case "extract-vmlinux" -> new ExtractVmlinuxCommand();
            case "features" -> new FeaturesCommand();
            case "cpuid" -> new CpuidCommand();
            case "doctor" -> new DoctorCommand();
            case "test" -> new TestCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no command " + name);
        };
    }

    /** vmm's error handling on a command line: one "vmm: ..." line, status 2 for usage errors. */
    static CommandLine configure(CommandLine cli) {
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("vmm: " + ex.getMessage() + suggestion(ex));
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
        return cli;
    }

    /**
     * The descriptions are written as sentences split over source lines; picocli would print each
     * piece as its own line, and list a command by its first piece (cut mid-sentence). Here each
     * becomes one paragraph that picocli wraps, and the command list shows its first sentence.
     */
    static void tidyHelp(CommandLine cli) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            CommandLine.Model.UsageMessageSpec usage = sub.getCommandSpec().usageMessage();
            String text = String.join(" ", usage.description()).trim();
            if (text.isEmpty()) continue;
            if (usage.header().length == 0) {
                // the header is printed above the usage line, the rest of the text below it
                String[] firstAndRest = text.split("(?<=\\.)\\s+(?=[A-Z])", 2);
                usage.header(firstAndRest[0]);
                usage.description(firstAndRest.length > 1 ? new String[] {firstAndRest[1]} : new String[0]);
            } else {
                usage.description(text);
            }
        }
    }

    /** picocli's "did you mean" for a mistyped command or option, on the same line. */
    private static String suggestion(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> s = u.getSuggestions();
            if (s.isEmpty() && !u.isUnknownOption() && !u.getUnmatched().isEmpty()) {
                s = closeCommands(u.getUnmatched().get(0), u.getCommandLine().getSubcommands().keySet());
            }
            if (!s.isEmpty()) {
                return " (did you mean " + String.join(" or ", s.subList(0, Math.min(3, s.size()))) + "?)";
            }
        }
        return "";
    }

    /**
     * Commands within two edits of a mistyped one: picocli's own suggestions compare letter pairs,
     * which finds nothing for a short typo such as "rn".
     */
    static List<String> closeCommands(String typed, java.util.Collection<String> commands) {
        return commands.stream().filter(c -> editDistance(typed, c) <= 2 && !typed.equals(c)).toList();
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            prev = cur;
        }
        return prev[b.length()];
    }
}
