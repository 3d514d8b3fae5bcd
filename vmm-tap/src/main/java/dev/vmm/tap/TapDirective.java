package dev.vmm.tap;

/**
 * A TAP directive after a result's description: {@code ok 3 - foo # SKIP no x2apic}.
 *
 * @param kind   SKIP or TODO
 * @param reason the text after the keyword, possibly empty
 */
public record TapDirective(Kind kind, String reason) {
    /** The two directives TAP defines. */
    public enum Kind {
        /** The test was not run; an {@code ok} line. */
        SKIP,
        /** The test is expected to fail; a {@code not ok} line does not count as a failure. */
        TODO
    }
}
