package dev.vmm.junit;

import dev.vmm.api.Guest;
import dev.vmm.api.GuestBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts guests for one test and closes them after it: inject it as a test method parameter
 * (with {@link VmmExtension}) to boot any kernel with any {@link GuestBuilder} settings.
 */
public final class Guests {
    private final List<Guest> started = new ArrayList<>();

    Guests() {
    }

    /**
     * @param builder what to boot, e.g. {@code Guest.builder().testKernel().cpu("host,-kvmclock")}
     * @return the running guest, closed by the extension after the test
     */
    public synchronized Guest start(GuestBuilder builder) {
        Guest guest = builder.start();
        started.add(guest);
        return guest;
    }

    synchronized void closeAll() {
        for (Guest g : started) {
            g.close();
        }
        started.clear();
    }
}
