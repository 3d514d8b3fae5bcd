package dev.vmm.tap;

import java.util.List;
import java.util.Optional;

/**
 * One TAP test line, e.g. {@code ok 4 - pv kvmclock: stable # SKIP no master clock}, with the
 * {@code #} diagnostic lines that followed it.
 *
 * @param ok          {@code ok} (true) or {@code not ok} (false)
 * @param number      the test number (counted when the line has none)
 * @param description the text after the number and an optional {@code -}, without the directive
 * @param directive   SKIP or TODO with its reason, if the line has one
 * @param diagnostics the {@code # ...} lines after this one, without the {@code #} and one space
 */
public record TapResult(boolean ok, int number, String description, Optional<TapDirective> directive,
                        List<String> diagnostics) {
    /** Copies the list. */
    public TapResult {
        diagnostics = List.copyOf(diagnostics);
    }

    /** @return true when the test ran and passed: {@code ok} and not skipped */
    public boolean passed() {
        return ok && !skipped();
    }

    /** @return true for a {@code # SKIP} line */
    public boolean skipped() {
        return directive.map(d -> d.kind() == TapDirective.Kind.SKIP).orElse(false);
    }

    /** @return true for a {@code # TODO} line */
    public boolean todo() {
        return directive.map(d -> d.kind() == TapDirective.Kind.TODO).orElse(false);
    }

    /** @return the line as TAP writes it (without diagnostics) */
    @Override
    public String toString() {
        return (ok ? "ok " : "not ok ") + number + (description.isEmpty() ? "" : " - " + description)
                + directive.map(d -> " # " + d.kind() + (d.reason().isEmpty() ? "" : " " + d.reason())).orElse("");
    }
}
