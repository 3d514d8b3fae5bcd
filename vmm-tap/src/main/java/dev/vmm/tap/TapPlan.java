package dev.vmm.tap;

import java.util.Optional;

/**
 * A TAP plan line: {@code 1..N}, or {@code 1..0 # SKIP reason} for a run that skipped everything.
 *
 * @param count      the number of tests planned
 * @param skipReason the reason of a whole-run skip, if the plan has one
 */
public record TapPlan(int count, Optional<String> skipReason) {
}
