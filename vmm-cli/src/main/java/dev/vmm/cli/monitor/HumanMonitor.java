package dev.vmm.cli.monitor;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * QEMU's human monitor (HMP) for QMP's {@code human-monitor-command}: the command line is parsed as
 * monitor/hmp.c does (the name ends at a blank or '/', {@code info} takes a subcommand), and the
 * output is QEMU's text, errors included ("unknown command: 'foo'", "Try \"help x\" for more
 * information"). Commands: {@code info status|cpus|registers|mtree|pv}, {@code x} and {@code xp}
 * (memory dumps), {@code help}. The last dump's format and size carry over to the next, as in QEMU.
 */
public final class HumanMonitor {
    private record Command(String names, String params, String help) {
        boolean matches(String name) {
            for (String n : names.split("\\|")) {
                if (n.equals(name)) return true;
            }
            return false;
        }

        String name() {
            int bar = names.indexOf('|');
            return bar < 0 ? names : names.substring(0, bar);
        }
    }

    private static final List<Command> COMMANDS = List.of(
            new Command("help|?", "[cmd]", "show the help"),
            new Command("info", "[subcommand]", "show various information about the system state"),
            new Command("x", "/fmt addr", "virtual memory dump starting at 'addr'"),
            new Command("xp", "/fmt addr", "physical memory dump starting at 'addr'"));
    private static final List<Command> INFO = List.of(
            new Command("cpus", "", "show infos for each CPU"),
            new Command("mtree", "", "show memory tree"),
            new Command("pv", "", "show the paravirtual MSRs of each CPU and what they point to (x-query-pv)"),
            new Command("registers", "[-a|vcpu]", "show the cpu registers (-a: show register info for all cpus;"
                    + " vcpu: specific vCPU to query; show the current CPU's registers if no argument is specified)"),
            new Command("status", "", "show the current VM status (running|paused)"));

    private final MonitorTarget target;
    /** QEMU keeps the last /FMT's format and size for the next x or xp. */
    private MemoryDumpFormat defaults = MemoryDumpFormat.INITIAL;

    public HumanMonitor(MonitorTarget target) {
        this.target = target;
    }

    /** Runs {@code line} with vCPU {@code cpu} as the monitor's current CPU and returns what QEMU would print. */
    public synchronized String execute(String line, int cpu) {
        StringBuilder out = new StringBuilder();
        int p = skipBlanks(line, 0);
        if (p >= line.length()) {
            return "";
        }
        int end = nameEnd(line, p);
        String name = line.substring(p, end);
        Command cmd = find(COMMANDS, name);
        if (cmd == null) {
            return "unknown command: '" + line.substring(0, end) + "'\n";
        }
        int args = skipBlanks(line, end);
        try {
            switch (cmd.name()) {
                case "help" -> help(out, line.substring(args));
                case "info" -> info(out, line, args, cpu);
                case "x", "xp" -> dump(out, line, args, cmd.name(), cpu);
                default -> throw new IllegalStateException(cmd.name());
            }
        } catch (HmpException e) {
            out.append(e.getMessage()).append('\n');
        } catch (QmpError | IllegalStateException e) {
            out.append("Error: ").append(e.getMessage()).append('\n');
        }
        return out.toString();
    }

    private static Command find(List<Command> table, String name) {
        for (Command c : table) {
            if (c.matches(name)) return c;
        }
        return null;
    }

    private static int skipBlanks(String s, int p) {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) p++;
        return p;
    }

    private static int nameEnd(String s, int p) {
        while (p < s.length() && s.charAt(p) != '/' && !Character.isWhitespace(s.charAt(p))) p++;
        return p;
    }

    /** An argument error: QEMU's message, then its hint naming the command as typed. */
    private static HmpException usage(String message, String line, int commandEnd) {
        String typed = line.substring(0, commandEnd).strip();
        return new HmpException(message + "\nTry \"help " + typed + "\" for more information");
    }

    private void help(StringBuilder out, String args) {
        String topic = args.strip();
        if (topic.isEmpty()) {
            for (Command c : COMMANDS) out.append(c.names()).append(' ').append(c.params()).append(" -- ").append(c.help()).append('\n');
            return;
        }
        String[] words = topic.split("\\s+");
        Command c = find(COMMANDS, words[0]);
        if (c == null) {
            out.append("unknown command: '").append(words[0]).append("'\n");
        } else if (c.name().equals("info")) {
            if (words.length == 1) {
                for (Command i : INFO) helpLine(out, "info ", i);
            } else {
                Command i = find(INFO, words[1]);
                if (i == null) out.append("unknown command: 'info ").append(words[1]).append("'\n");
                else helpLine(out, "info ", i);
            }
        } else {
            helpLine(out, "", c);
        }
    }

    private static void helpLine(StringBuilder out, String prefix, Command c) {
        out.append(prefix).append(c.names()).append(' ').append(c.params()).append(" -- ").append(c.help()).append('\n');
    }

    private void info(StringBuilder out, String line, int p, int cpu) {
        if (p >= line.length()) {
            for (Command i : INFO) helpLine(out, "info ", i);
            return;
        }
        int end = nameEnd(line, p);
        Command sub = find(INFO, line.substring(p, end));
        if (sub == null) {
            out.append("unknown command: '").append(line, 0, end).append("'\n");
            return;
        }
        int args = skipBlanks(line, end);
        switch (sub.name()) {
            case "registers" -> registers(out, line, end, args, cpu);
            default -> {
                if (args < line.length()) {
                    throw usage(sub.name() + ": extraneous characters at the end of line", line, end);
                }
                switch (sub.name()) {
                    case "status" -> status(out);
                    case "cpus" -> cpus(out, cpu);
                    case "mtree" -> out.append(target.memoryTree());
                    case "pv" -> pv(out, target.pvState());
                    default -> throw new IllegalStateException(sub.name());
                }
            }
        }
    }

    private void status(StringBuilder out) {
        String status = target.status();
        out.append("VM status: ");
        if (status.equals("running")) out.append("running");
        else if (status.equals("paused")) out.append("paused");
        else out.append("paused (").append(status).append(')');
        out.append('\n');
    }

    private void cpus(StringBuilder out, int current) {
        List<Integer> tids = target.vcpuThreadIds();
        for (int i = 0; i < tids.size(); i++) {
            out.append(i == current ? '*' : ' ').append(" CPU #").append(i).append(": thread_id=").append(tids.get(i)).append('\n');
        }
    }

    /** {@code info registers [-a] [vcpu]}: one vCPU (the current one unless named), or every vCPU with -a. */
    private void registers(StringBuilder out, String line, int commandEnd, int p, int current) {
        boolean all = false;
        if (p < line.length() && line.charAt(p) == '-') {
            char option = p + 1 < line.length() ? line.charAt(p + 1) : '\0';
            if (option != 'a') {
                throw usage("registers: unsupported option -" + (option == '\0' ? "" : String.valueOf(option)), line, commandEnd);
            }
            all = true;
            p = skipBlanks(line, p + 2);
        }
        Integer vcpu = null;
        if (p < line.length()) {
            HmpExpression.Result r;
            try {
                r = HmpExpression.parse(line, p, name -> null);
            } catch (HmpException e) {
                throw usage(e.getMessage(), line, commandEnd);
            }
            if (((r.value() >> 32) & 0xffff_ffffL) != 0) {
                throw usage("'registers' has failed: integer is for 32-bit values", line, commandEnd);
            }
            vcpu = (int) r.value();
            p = skipBlanks(line, r.end());
            if (p < line.length()) {
                throw usage("registers: extraneous characters at the end of line", line, commandEnd);
            }
        }
        boolean every = all;
        Integer chosen = vcpu;
        out.append(target.<String>inspect(view -> {
            StringBuilder sb = new StringBuilder();
            if (every) {
                for (int i = 0; i < view.cpuCount(); i++) {
                    sb.append("\nCPU#").append(i).append('\n').append(view.registers(i));
                }
            } else {
                int index = chosen != null ? chosen : current;
                if (index < 0 || index >= view.cpuCount()) {
                    sb.append(chosen != null ? "CPU#" + index + " not available\n" : "No CPU available\n");
                } else {
                    sb.append("\nCPU#").append(index).append('\n').append(view.registers(index));
                }
            }
            return sb.toString();
        }));
    }

    /** {@code x /fmt addr} (guest virtual, through vCPU {@code cpu}'s page tables) and {@code xp /fmt addr} (guest physical). */
    private void dump(StringBuilder out, String line, int p, String name, int cpu) {
        int commandEnd = nameEnd(line, skipBlanks(line, 0));
        MemoryDumpFormat.Parsed parsed;
        try {
            parsed = MemoryDumpFormat.parse(line.substring(commandEnd), defaults);
        } catch (HmpException e) {
            throw usage(e.getMessage(), line, commandEnd);
        }
        MemoryDumpFormat fmt = parsed.format();
        defaults = fmt.defaultsAfter(defaults);
        int addrAt = commandEnd + parsed.end();
        boolean physical = name.equals("xp");
        out.append(target.<String>inspect(view -> {
            HmpExpression.Result r;
            try {
                r = HmpExpression.parse(line, addrAt, reg -> view.register(cpu, reg));
            } catch (HmpException e) {
                throw usage(e.getMessage(), line, commandEnd);
            }
            if (skipBlanks(line, r.end()) < line.length()) {
                throw usage(name + ": extraneous characters at the end of line", line, commandEnd);
            }
            if (fmt.format() == 'i') {
                return name + ": format 'i' needs a disassembler, which vmm does not have\n";
            }
            MemoryDump.Reader reader = physical
                    ? view::readPhysical
                    : (address, length) -> view.readVirtual(cpu, address, length);
            return MemoryDump.format(r.value(), fmt, reader);
        }));
    }

    /** {@code x-query-pv} as text: per vCPU, each PV MSR with its value and the decoded structure. */
    static void pv(StringBuilder out, JsonNode cpus) {
        for (JsonNode cpu : cpus) {
            out.append("CPU#").append(cpu.path("cpu-index").asInt()).append('\n');
            for (JsonNode msr : cpu.path("msrs")) {
                out.append(String.format("  %-28s 0x%08x ", msr.path("name").asText(), msr.path("index").asLong()));
                if (msr.has("value")) {
                    out.append(String.format("= 0x%016x%n", msr.path("value").asLong()));
                    JsonNode decoded = msr.path("decoded");
                    if (decoded.size() > 0) {
                        out.append("   ");
                        for (Map.Entry<String, JsonNode> f : (Iterable<Map.Entry<String, JsonNode>>) decoded::fields) {
                            out.append(' ').append(f.getKey()).append('=').append(f.getValue().isTextual()
                                    ? f.getValue().asText() : f.getValue().toString());
                        }
                        out.append('\n');
                    }
                } else {
                    out.append("not supported by this host\n");
                }
            }
        }
    }
}
