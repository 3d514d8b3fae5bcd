package dev.vmm.junit;

import dev.vmm.api.Guest;
import dev.vmm.tap.TapReport;

import java.time.Duration;

/**
 * A guest's TAP once it has ended: the bridge between a running {@link Guest} and the TAP parser
 * ({@link TapReport}, module vmm-tap), which knows nothing of guests so that the PV harness shares it.
 */
public final class GuestTap {
    private GuestTap() {
    }

    /**
     * Waits for the guest to end and parses its serial output.
     *
     * @param guest   a running (or ended) guest
     * @param timeout how long to wait for its end
     * @return its TAP
     * @throws dev.vmm.api.GuestTimeoutException if it did not end in time
     */
    public static TapReport awaitFrom(Guest guest, Duration timeout) {
        guest.awaitExit(timeout);
        return TapReport.parse(guest.output());
    }
}
