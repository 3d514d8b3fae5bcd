package dev.vmm.tap;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The TAP (Test Anything Protocol, versions 13 and 14) a guest printed, as objects: the version,
 * the plan, each result with its directive and diagnostics, every diagnostic line, and a bail-out.
 * Lines that are not TAP (a kernel's own messages) and indented lines (subtests, YAML blocks) are
 * left out.
 *
 * @param version     the {@code TAP version N} line's N, if there was one
 * @param plan        the {@code 1..N} line, if there was one
 * @param results     the {@code ok}/{@code not ok} lines in order
 * @param diagnostics every top-level {@code # ...} line, without the {@code #} and one space
 * @param bailOut     the reason of a {@code Bail out!} line, if there was one
 */
public record TapReport(OptionalInt version, Optional<TapPlan> plan, List<TapResult> results,
                        List<String> diagnostics, Optional<String> bailOut) {
    private static final Pattern VERSION = Pattern.compile("^TAP version (\\d+)$");
    private static final Pattern PLAN = Pattern.compile("^1\\.\\.(\\d+)(?:\\s*#\\s*(?i:skip)\\S*\\s*(.*))?");
    private static final Pattern RESULT = Pattern.compile("^(not ok|ok)\\b(?:\\s+(\\d+))?(?:\\s*-)?\\s*(.*)$");
    private static final Pattern DIRECTIVE = Pattern.compile("(?<!\\\\)#\\s*(?i:(skip|todo))\\S*\\s*(.*)$");
    private static final Pattern BAIL_OUT = Pattern.compile("^Bail out!\\s*(.*)$");

    /** Copies the lists. */
    public TapReport {
        results = List.copyOf(results);
        diagnostics = List.copyOf(diagnostics);
    }

    /**
     * Parses TAP out of a console log.
     *
     * @param output the text (line ends {@code \n} or {@code \r\n})
     * @return what it held; results and lists may be empty
     */
    public static TapReport parse(String output) {
        OptionalInt version = OptionalInt.empty();
        Optional<TapPlan> plan = Optional.empty();
        Optional<String> bailOut = Optional.empty();
        List<String> diagnostics = new ArrayList<>();
        List<ResultBuilder> results = new ArrayList<>();
        for (String raw : output.split("\r?\n")) {
            String line = raw.stripTrailing();
            if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) {
                continue;
            }
            Matcher m;
            if (line.startsWith("#")) {
                String text = line.substring(1).startsWith(" ") ? line.substring(2) : line.substring(1);
                diagnostics.add(text);
                if (!results.isEmpty()) results.get(results.size() - 1).diagnostics.add(text);
            } else if ((m = RESULT.matcher(line)).matches()) {
                int number = m.group(2) != null ? Integer.parseInt(m.group(2)) : results.size() + 1;
                results.add(new ResultBuilder(m.group(1).equals("ok"), number, m.group(3)));
            } else if ((m = VERSION.matcher(line)).matches()) {
                version = OptionalInt.of(Integer.parseInt(m.group(1)));
            } else if ((m = PLAN.matcher(line)).lookingAt()) {
                plan = Optional.of(new TapPlan(Integer.parseInt(m.group(1)), Optional.ofNullable(m.group(2)).map(String::strip)));
            } else if ((m = BAIL_OUT.matcher(line)).matches()) {
                bailOut = Optional.of(m.group(1));
            }
        }
        return new TapReport(version, plan, results.stream().map(ResultBuilder::build).toList(), diagnostics, bailOut);
    }

    /**
     * The first result whose description starts with {@code prefix}.
     *
     * @param prefix e.g. {@code "pv kvmclock"}
     * @return that result
     * @throws NoSuchElementException (listing every result) if there is none
     */
    public TapResult result(String prefix) {
        return results.stream().filter(r -> r.description().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no TAP result starts with '" + prefix + "'; results:\n" + this));
    }

    /** @return the results that are {@code not ok} and not TODO */
    public List<TapResult> failures() {
        return results.stream().filter(r -> !r.ok() && !r.todo()).toList();
    }

    /**
     * @return true when a plan was printed, as many results came as it planned, none failed
     *     (TODO excepted) and there was no bail-out
     */
    public boolean allPassed() {
        return plan.isPresent() && results.size() == plan.get().count() && failures().isEmpty() && bailOut.isEmpty();
    }

    /** @return the first diagnostic line that starts with {@code prefix} */
    public Optional<String> diagnostic(String prefix) {
        return diagnostics.stream().filter(d -> d.startsWith(prefix)).findFirst();
    }

    /** @return the plan and the result lines, one per line, for assertion messages */
    @Override
    public String toString() {
        return plan.map(p -> "1.." + p.count() + "\n").orElse("")
                + results.stream().map(TapResult::toString).collect(Collectors.joining("\n"))
                + bailOut.map(b -> "\nBail out! " + b).orElse("");
    }

    /** A result whose diagnostics are still coming. */
    private static final class ResultBuilder {
        final boolean ok;
        final int number;
        final String rest;
        final List<String> diagnostics = new ArrayList<>();

        ResultBuilder(boolean ok, int number, String rest) {
            this.ok = ok;
            this.number = number;
            this.rest = rest;
        }

        TapResult build() {
            Matcher d = DIRECTIVE.matcher(rest);
            String description = rest;
            Optional<TapDirective> directive = Optional.empty();
            if (d.find()) {
                description = rest.substring(0, d.start());
                directive = Optional.of(new TapDirective(
                        TapDirective.Kind.valueOf(d.group(1).toUpperCase(java.util.Locale.ROOT)), d.group(2).strip()));
            }
            return new TapResult(ok, number, description.strip().replace("\\#", "#"), directive, diagnostics);
        }
    }
}
