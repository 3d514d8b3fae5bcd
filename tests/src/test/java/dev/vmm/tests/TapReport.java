package dev.vmm.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The TAP a test kernel printed: its plan, each result, and the "# ..." diagnostic lines. */
record TapReport(boolean hasVersion, int planned, List<Result> results, List<String> diagnostics) {
    record Result(boolean ok, int number, String description) {
    }

    private static final Pattern PLAN = Pattern.compile("^1\\.\\.(\\d+)");
    private static final Pattern RESULT = Pattern.compile("^(ok|not ok) (\\d+)(?: - (.*))?$");

    static TapReport parse(String output) {
        boolean version = false;
        int planned = -1;
        List<Result> results = new ArrayList<>();
        List<String> diagnostics = new ArrayList<>();
        for (String raw : output.split("\r?\n")) {
            String line = raw.strip();
            Matcher m;
            if (line.equals("TAP version 14")) {
                version = true;
            } else if ((m = PLAN.matcher(line)).find()) {
                planned = Integer.parseInt(m.group(1));
            } else if ((m = RESULT.matcher(line)).matches()) {
                results.add(new Result(m.group(1).equals("ok"), Integer.parseInt(m.group(2)),
                        m.group(3) == null ? "" : m.group(3)));
            } else if (line.startsWith("#")) {
                diagnostics.add(line);
            }
        }
        return new TapReport(version, planned, results, diagnostics);
    }

    /** True when the plan was printed and every planned test reported ok. */
    boolean allOk() {
        return hasVersion && planned > 0 && results.size() == planned && results.stream().allMatch(Result::ok);
    }

    Optional<String> diagnostic(String prefix) {
        return diagnostics.stream().filter(d -> d.startsWith(prefix)).findFirst();
    }
}
